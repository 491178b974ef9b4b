import { CriticalityLevel, diff, type Change } from "@graphql-inspector/core";
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  Kind,
  parse,
  specifiedRules,
  TypeInfo,
  typeFromAST,
  validate,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type GraphQLType,
} from "graphql";
import { describeDeployment, type DeploymentKey, type PublishedDeployment } from "../app-deployments/deployment.js";

/** A published document a schema change would break: which deployment, which operation, which field and why. */
export interface DocumentBreak {
  readonly deployment: DeploymentKey;
  readonly documentId: string;
  readonly operation: string;
  /** The schema coordinate the document uses that the change breaks (`Customer.email`), or null (it no longer validates). */
  readonly coordinate: string | null;
  readonly reason: string;
}

/** One line per break: the deployment, the operation (and its id), the field, the reason. */
export function formatDocumentBreak(problem: DocumentBreak): string {
  const where = `app deployment ${describeDeployment(problem.deployment)}: operation ${problem.operation} (document ${problem.documentId})`;
  return `${where}: ${problem.coordinate === null ? "" : `${problem.coordinate}: `}${problem.reason}`;
}

/**
 * What a change from `before` to `after` breaks in the published deployments' documents: every breaking change
 * (GraphQL Inspector's verdict) at a schema coordinate a document uses, and every document that no longer validates
 * against `after` (whatever the reason, a change Inspector rates lower included). A breaking change no published
 * document uses breaks nothing here: retired deployments, and changes to fields no app asks for, pass.
 */
export async function breaksOfPublishedDocuments(
  before: GraphQLSchema,
  after: GraphQLSchema,
  deployments: readonly PublishedDeployment[],
): Promise<DocumentBreak[]> {
  const breaking = (await diff(before, after)).filter((change) => change.criticality.level === CriticalityLevel.Breaking);
  const breaks: DocumentBreak[] = [];
  for (const deployment of deployments) {
    const key = { name: deployment.name, version: deployment.version };
    for (const { id, body } of deployment.documents) {
      let document: DocumentNode;
      try {
        document = parse(body);
      } catch {
        continue; // Never stored: create checks every document.
      }
      const operation = operationName(document);
      const used = coordinatesUsed(before, document);
      const found = breaking.filter((change) => changeBreaks(change, used));
      for (const change of found)
        breaks.push({ deployment: key, documentId: id, operation, coordinate: change.path ?? null, reason: change.message });
      if (found.length > 0) continue;
      for (const error of validate(after, document, specifiedRules)) {
        breaks.push({ deployment: key, documentId: id, operation, coordinate: null, reason: `no longer validates: ${error.message}` });
      }
    }
  }
  return breaks;
}

function operationName(document: DocumentNode): string {
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) return definition.name?.value ?? "(anonymous)";
  }
  return "(none)";
}

/** Whether `change` breaks a document that uses these coordinates. */
function changeBreaks(change: Change, used: ReadonlySet<string>): boolean {
  const path = change.path;
  if (path === undefined) return false;
  if (used.has(path)) return true;
  const parts = path.split(".");
  // Something added that every user of its parent must now give: a required argument, a required input field.
  const added = String(change.type).endsWith("_ADDED");
  if (added && parts.length === 3) return used.has(`${parts[0]}.${parts[1]}`);
  if (added && parts.length === 2) return used.has(`${parts[0]}.*`);
  return false;
}

/**
 * The schema coordinates a document uses, against the schema it was written for: the types it names, the fields it
 * selects (`Type.field`), the arguments it passes (`Type.field.arg`), and, for the input types and enums its
 * arguments and variables take, every input field and value (a client may send any of them; `Type.*` marks the type).
 */
export function coordinatesUsed(schema: GraphQLSchema, document: DocumentNode): Set<string> {
  const used = new Set<string>();
  const seen = new Set<GraphQLNamedType>();
  const useType = (type: GraphQLType | null | undefined) => {
    if (!type) return;
    const named = getNamedType(type);
    used.add(named.name);
    if (seen.has(named)) return;
    seen.add(named);
    if (isEnumType(named)) {
      used.add(`${named.name}.*`);
      for (const value of named.getValues()) used.add(`${named.name}.${value.name}`);
    }
    if (isInputObjectType(named)) {
      used.add(`${named.name}.*`);
      for (const field of Object.values(named.getFields())) {
        used.add(`${named.name}.${field.name}`);
        useType(field.type);
      }
    }
  };
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field() {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        if (!parent || !field) return;
        used.add(parent.name);
        used.add(`${parent.name}.${field.name}`);
        useType(field.type);
      },
      Argument() {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        const argument = typeInfo.getArgument();
        if (!parent || !field || !argument) return;
        used.add(`${parent.name}.${field.name}.${argument.name}`);
        useType(argument.type);
      },
      VariableDefinition(node) {
        useType(typeFromAST(schema, node.type));
      },
      InlineFragment(node) {
        if (node.typeCondition) used.add(node.typeCondition.name.value);
      },
      FragmentDefinition(node) {
        used.add(node.typeCondition.name.value);
      },
    }),
  );
  return used;
}
