import { z } from 'zod';

const tokenIds = z.array(z.int().min(0)).min(1);

/** What `/v1/embeddings` `input` and `/v1/completions` `prompt` accept: text(s) or token-id array(s). */
export const textOrTokens = z.union([z.string(), z.array(z.string()).min(1), tokenIds, z.array(tokenIds).min(1)]);

/** One text (or token array): what seeds its output and what it costs (0 tokens: an empty string). */
export interface TextInput {
  seed: string;
  tokens: number;
}

/** A string, a list of strings, a token array or a list of token arrays, as one list of inputs. */
export function textInputs(input: z.infer<typeof textOrTokens>): TextInput[] {
  if (typeof input === 'string') return [fromText(input)];
  if (input.every((item) => typeof item === 'number')) return [fromTokenIds(input as number[])];
  return (input as (string | number[])[]).map((item) => (typeof item === 'string' ? fromText(item) : fromTokenIds(item)));
}

// The same stand-in for a tokenizer as chat prompts: about 4 characters per token.
const fromText = (text: string): TextInput => ({ seed: text, tokens: Math.ceil(text.length / 4) });
const fromTokenIds = (ids: number[]): TextInput => ({ seed: JSON.stringify(ids), tokens: ids.length });
