/**
 * A mapping that prints: `{{self}}` is the relation's SQL text, `{{self.schema}}` one of its
 * parts. Printing any other mapping is an error (render.ts); this is the one sanctioned kind.
 * Handlebars prints an object through its toString and reads only own properties, so the parts
 * are own properties and the text is private: both renderers give the same output.
 */
export class Printable {
  readonly #text: string;
  constructor(text: string, parts: Readonly<Record<string, string>>) {
    this.#text = text;
    Object.assign(this, parts);
  }

  toString(): string {
    return this.#text;
  }
}
