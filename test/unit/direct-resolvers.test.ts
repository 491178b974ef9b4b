import "reflect-metadata";
import {
  Arg,
  Args,
  ArgsType,
  buildSchema,
  Ctx,
  Field,
  FieldResolver,
  Info,
  Int,
  ObjectType,
  Query,
  Resolver,
  Root,
  UseMiddleware,
} from "type-graphql";
import { directResolvers } from "../../src/graphql/direct-resolvers.js";

@ObjectType()
class Box {
  @Field(() => Int)
  size!: number;
}

@ArgsType()
class Page {
  @Field(() => Int, { nullable: true })
  first?: number | null;
}

/** What each resolver received, to compare with what it was given. */
const seen: Record<string, unknown[]> = {};

@Resolver(() => Box)
class BoxResolver {
  @Query(() => Box)
  box(@Arg("size", () => Int) size: number, @Ctx() context: unknown): Box {
    seen.box = [size, context];
    return { size };
  }

  @FieldResolver(() => Int)
  doubled(@Root() box: Box, @Args(() => Page) page: Page, @Ctx("tenant") tenant: unknown): number {
    seen.doubled = [box, page, tenant];
    return box.size * 2;
  }

  @FieldResolver(() => String)
  where(@Info() info: { fieldName: string }): string {
    return info.fieldName;
  }

  @UseMiddleware(async (_data, next) => next())
  @FieldResolver(() => Int)
  guarded(@Root() box: Box): number {
    return box.size;
  }
}

describe("directResolvers: the resolver classes' methods called with the values GraphQL passed, as they are", () => {
  test("roots, argument objects and context are handed over without copies; parameters keep their order", async () => {
    await buildSchema({ resolvers: [BoxResolver], validate: false });
    const resolvers = directResolvers([BoxResolver]);
    const box = { size: 3 };
    const args = { first: 5 };
    const context = { tenant: "t1" };
    const doubled = resolvers.get("Box")!.get("doubled")!;
    expect(doubled(box, args, context, undefined as never)).toBe(6);
    expect(seen.doubled[0]).toBe(box);
    expect(seen.doubled[1]).toBe(args);
    expect(seen.doubled[2]).toBe("t1");
    expect(resolvers.get("Query")!.get("box")!(undefined, { size: 4 }, context, undefined as never)).toEqual({ size: 4 });
    expect(seen.box).toEqual([4, context]);
  });

  test("a resolver that needs type-graphql's wrapper (its own middleware, @Info) keeps it: no direct resolver", async () => {
    await buildSchema({ resolvers: [BoxResolver], validate: false });
    const fields = directResolvers([BoxResolver]).get("Box")!;
    expect(fields.has("guarded")).toBe(false);
    expect(fields.has("where")).toBe(false);
  });
});
