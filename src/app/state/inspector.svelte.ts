/** What the token inspector is looking at: a turn, a position in its reply, a hint candidate, a colouring. */
export type ColourBy = 'opd' | 'grpo';

export class InspectorState {
  turnKey = $state<string | null>(null);
  /** The focused or hovered response position. */
  position = $state<number | null>(null);
  /** The hint candidate whose teacher is compared (null: the one selected at the position). */
  hint = $state<number | null>(null);
  colourBy = $state<ColourBy>('opd');

  show(turnKey: string): void {
    if (this.turnKey !== turnKey) {
      this.position = null;
      this.hint = null;
    }
    this.turnKey = turnKey;
  }
}
