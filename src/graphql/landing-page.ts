/** The operation Apollo Sandbox opens with: the demo referral code's first page, customers included. */
export const SANDBOX_INITIAL_DOCUMENT = `# The embedded emulator's demo program: referral code WELCOME-REF.
query ReferralHolders($memberId: ID!, $first: Int, $after: String) {
  referralMember(memberId: $memberId) {
    id
    holders(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        cursor
        node { id holderRole createdAt customer { id name email } }
      }
    }
  }
}
`;

export const SANDBOX_INITIAL_VARIABLES = { memberId: "WELCOME-REF", first: 10 };
