import type { ASTVisitor, FieldNode, ValidationContext } from "graphql";
import { limitError } from "../errors/graphql-errors.js";

/** Rejects documents with more than `maxAliases` aliased fields: aliases are how one request repeats a costly field. */
export function aliasLimitRule(maxAliases: number) {
  return (context: ValidationContext): ASTVisitor => {
    const aliased: FieldNode[] = [];
    return {
      Field(field) {
        if (field.alias) aliased.push(field);
      },
      Document: {
        leave() {
          if (aliased.length > maxAliases) {
            context.reportError(
              limitError(
                `The document uses ${aliased.length} aliases; at most ${maxAliases} are allowed.`,
                {
                  name: "MAX_ALIASES",
                  max: maxAliases,
                  actual: aliased.length,
                },
                aliased[maxAliases],
              ),
            );
          }
        },
      },
    };
  };
}
