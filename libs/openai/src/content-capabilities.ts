import { TfError } from '@tokenflow/contracts';
import { toParam } from './validate';

/** The input modalities a model takes besides text (from the model catalog). */
export interface ContentAccepts {
  image: boolean;
  audio: boolean;
  file: boolean;
}

/** Content part type → the capability it needs; text and refusal parts need none. */
const NEEDS: Readonly<Record<string, keyof ContentAccepts>> = { image_url: 'image', input_audio: 'audio', file: 'file' };

/**
 * A 400 naming the first content part of a (validated) chat body that `model` cannot take, or null. Refusing here
 * names the part and the model, where the upstream would answer with its own wording, or silently drop the part.
 */
export function unsupportedContent(body: { messages?: unknown }, accepts: ContentAccepts, model: string): TfError | null {
  if (!Array.isArray(body.messages)) return null;
  for (let i = 0; i < body.messages.length; i++) {
    const content: unknown = (body.messages[i] as { content?: unknown } | null)?.content;
    if (!Array.isArray(content)) continue;
    for (let j = 0; j < content.length; j++) {
      const type: unknown = (content[j] as { type?: unknown } | null)?.type;
      const need = typeof type === 'string' && Object.hasOwn(NEEDS, type) ? NEEDS[type] : undefined;
      if (need && !accepts[need]) {
        return new TfError('invalid_request', `The model '${model}' does not support ${type} content parts.`, { param: toParam(['messages', i, 'content', j]) });
      }
    }
  }
  return null;
}
