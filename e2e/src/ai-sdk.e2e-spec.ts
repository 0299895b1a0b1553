import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, stepCountIs, streamText, tool } from 'ai';
import { z } from 'zod';
import { type Platform, startPlatform } from './support/platform';

/** One model of each wire format: OpenAI-compatible, Zhipu, Anthropic. */
const MODELS = ['deepseek-v3', 'glm-4-plus', 'claude-sonnet'];

describe('Vercel AI SDK: the default openai(model) provider (the Responses API) on every wire format', () => {
  let p: Platform;
  let openai: ReturnType<typeof createOpenAI>;

  before(async () => {
    p = await startPlatform('ai-sdk');
    openai = createOpenAI({ baseURL: `${p.baseUrl}/v1`, apiKey: p.key });
  });
  after(async () => p?.stop());

  for (const model of MODELS) {
    it(`${model}: generateText and streamText`, async () => {
      const result = await generateText({ model: openai(model), system: 'Be brief.', prompt: 'Tell me something short.', maxOutputTokens: 64, maxRetries: 0 });
      assert.ok(result.text.length > 0);
      assert.ok((result.usage.inputTokens ?? 0) > 0 && (result.usage.outputTokens ?? 0) > 0);
      assert.match(String(result.response.id), /^resp_/);
      assert.equal(result.response.modelId, model);

      const stream = streamText({ model: openai(model), prompt: 'Tell me something short.', maxOutputTokens: 64, maxRetries: 0 });
      let text = '';
      for await (const delta of stream.textStream) text += delta;
      assert.ok(text.length > 0);
      assert.equal(await stream.text, text);
      assert.ok(((await stream.usage).outputTokens ?? 0) > 0);
    });

    it(`${model}: a tool call executed and its result sent back (stopWhen: stepCountIs(3))`, async () => {
      const calls: string[] = [];
      const weather = tool({
        description: 'Weather for a city',
        inputSchema: z.object({ city: z.string() }),
        execute: async ({ city }) => {
          calls.push(city);
          return { city, temp_c: 21 };
        },
      });
      const result = await generateText({ model: openai(model), prompt: 'Weather in Paris?', tools: { weather }, stopWhen: stepCountIs(3), maxRetries: 0 });
      assert.ok(calls.length >= 2, 'executed, and the follow-up (carrying the result) was answered');
      assert.ok(result.steps.length >= 2);
      assert.deepEqual(result.steps[0].toolResults[0]?.output, { city: 'mock', temp_c: 21 });

      const streamed = streamText({ model: openai(model), prompt: 'Weather in Paris?', tools: { weather }, stopWhen: stepCountIs(2), maxRetries: 0 });
      await streamed.consumeStream();
      assert.equal((await streamed.steps).length, 2);
      assert.equal((await streamed.steps)[0].toolCalls[0]?.toolName, 'weather');
    });
  }
});
