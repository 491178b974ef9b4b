import { HeaderMap, type ApolloServerPlugin, type GraphQLResponse } from "@apollo/server";
import type { FormattedExecutionResult } from "graphql";
import type { GatewayContext } from "../request-context/gateway-context.js";
import type { AnswerTicket, KeptAnswers } from "./kept-answers.js";
import type { OperationAdmission } from "./operation-admission.js";

/**
 * Apollo Server's adapter for the admission (operation-admission.ts, where its order is documented): it runs in
 * didResolveOperation, after validation and before execution, as it needs the variables and the caller (Apollo
 * validates a document once and caches it, so these cannot be validation rules). With `answers`, its step 8 may find
 * an answer kept whole (kept-answers.ts): Apollo then sends it instead of executing (responseForOperation), and an
 * answer executed without errors is kept (willSendResponse).
 */
export function operationAdmissionPlugin(
  admission: OperationAdmission,
  answers: KeptAnswers | null = null,
): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      let ticket: AnswerTicket | null = null;
      return {
        async didResolveOperation({ request, document, operation, operationName, source, contextValue }) {
          if (answers && operation) {
            const headers = request.http?.headers;
            ticket = answers.ticket(
              {
                documentDigest: answers.digestOf(source),
                operationName,
                operationType: operation.operation,
                variables: request.variables,
                header: (name) => headers?.get(name),
              },
              contextValue,
            );
          }
          await admission.admit(document, operation ?? undefined, request.variables, contextValue.caller, ticket?.lookup);
        },
        async responseForOperation() {
          return ticket?.hit ? keptResponse(ticket.hit) : null;
        },
        async willSendResponse({ response }) {
          if (answers && ticket && !ticket.hit) await ticket.settle(keptBody(answers, response));
        },
      };
    },
  };
}

/** A kept answer as Apollo Server sends a result: it prints it again, to the same bytes (JSON.stringify of JSON.parse). */
function keptResponse(body: Buffer): GraphQLResponse {
  const singleResult = JSON.parse(body.toString()) as FormattedExecutionResult;
  return { http: { status: undefined, headers: new HeaderMap() }, body: { kind: "single", singleResult } };
}

/**
 * The bytes Apollo Server sends for this response when it may be kept (data, no errors, no extensions, status 200):
 * its serialisation (runHttpQuery's prettyJSONStringify), which the fast path's repeats; null otherwise.
 */
function keptBody(answers: KeptAnswers, response: GraphQLResponse): Buffer | null {
  if (response.body.kind !== "single" || (response.http.status ?? 200) !== 200) return null;
  const { data, errors, extensions } = response.body.singleResult;
  if (errors !== undefined || extensions !== undefined || data === undefined || data === null) return null;
  return answers.answerBody(data);
}
