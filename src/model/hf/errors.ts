export type HfModelErrorCode =
  | 'missing-file'
  | 'config'
  | 'unsupported'
  | 'header'
  | 'dtype'
  | 'unknown-tensor'
  | 'missing-tensor'
  | 'shape'
  | 'tokenizer';

/** A Hugging Face model folder that cannot be served; `code` says which check failed, the message names the file and field. */
export class HfModelError extends Error {
  constructor(readonly code: HfModelErrorCode, message: string) {
    super(message);
    this.name = 'HfModelError';
  }
}
