import { Kind, type ASTVisitor, type SelectionSetNode, type ValidationContext } from "graphql";
import { limitError } from "../errors/graphql-errors.js";

/**
 * Rejects operations nested deeper than `maxDepth` fields (fragments followed, introspection included).
 * A document-only check, so Apollo's validated-document cache makes it run once per distinct document.
 */
export function depthLimitRule(maxDepth: number) {
  return (context: ValidationContext): ASTVisitor => {
    // A fragment's own depth, computed once: a fragment spread twice in each of n nested fragments would
    // otherwise cost 2^n walks. In-progress fragments count 0, so a cycle (reported by graphql's NoFragmentCycles
    // rule) cannot recurse forever here.
    const fragmentDepth = new Map<string, number>();
    const depthOf = (selectionSet: SelectionSetNode): number => {
      let deepest = 0;
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD) {
          deepest = Math.max(deepest, 1 + (selection.selectionSet ? depthOf(selection.selectionSet) : 0));
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          deepest = Math.max(deepest, depthOf(selection.selectionSet));
        } else {
          const name = selection.name.value;
          const fragment = context.getFragment(name);
          if (!fragment) continue;
          if (!fragmentDepth.has(name)) {
            fragmentDepth.set(name, 0);
            fragmentDepth.set(name, depthOf(fragment.selectionSet));
          }
          deepest = Math.max(deepest, fragmentDepth.get(name)!);
        }
      }
      return deepest;
    };
    return {
      OperationDefinition(operation) {
        const depth = depthOf(operation.selectionSet);
        if (depth > maxDepth) {
          const name = operation.name ? `Operation "${operation.name.value}"` : "The operation";
          context.reportError(
            limitError(
              `${name} is nested deeper than ${maxDepth} levels.`,
              { name: "MAX_QUERY_DEPTH", max: maxDepth, actual: depth },
              operation,
            ),
          );
        }
      },
    };
  };
}
