/** A chat message as the policy and the method see it (METHOD §1). */
export type Role = 'system' | 'user' | 'assistant' | 'tool';

export interface Message {
  role: Role;
  content: string;
}

/** The line METHOD §3 appends to the last user message to build the teacher context. */
export const HINT_PREFIX = "\n\n[user's hint / instruction]\n";
