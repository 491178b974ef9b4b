export { aliasLimitRule } from "./alias-limit.rule.js";
export { depthLimitRule } from "./depth-limit.rule.js";
export { estimateOperationCost } from "./operation-cost.js";
export { knownOperationTypeRule } from "./known-operation-type.rule.js";
export * from "./operation-limits.js";
export { findVariableProblem, MAX_VARIABLE_DEPTH } from "./variable-checks.js";
export { documentNesting } from "./document-nesting.js";
