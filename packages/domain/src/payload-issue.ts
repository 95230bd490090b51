/** Why a payload was refused: the dotted path of the field and what it must be. */
export interface PayloadIssue {
  readonly path: string;
  readonly message: string;
}
