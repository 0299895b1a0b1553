import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { fromZhipuEmbeddings, toZhipuEmbeddingsBody } from './embeddings.transform';
import { EMBEDDINGS_RESPONSE } from '../../../test/providers/zhipu/zhipu.fixtures';
import { thrown } from '../../../test/providers/zhipu/zhipu.testing';

describe('zhipu embeddings transform', () => {
  it('sends model, input and a supported embedding-3 dimension; nothing else', () => {
    assert.deepEqual(toZhipuEmbeddingsBody({ model: 'ours', input: ['第一条', '第二条'], dimensions: 1024, encoding_format: 'float', user: 'u-1' }, 'embedding-3'), {
      model: 'embedding-3',
      input: ['第一条', '第二条'],
      dimensions: 1024,
    });
    assert.equal(JSON.stringify(toZhipuEmbeddingsBody({ model: 'ours', input: 'hello' }, 'embedding-3')), '{"model":"embedding-3","input":"hello"}');
  });

  it('refuses what Zhipu would reject: token arrays, empty input, more than 64 inputs, dimensions it does not offer', () => {
    const param = (body: Record<string, unknown>, model = 'embedding-3') => {
      const err = thrown(() => toZhipuEmbeddingsBody(body, model));
      assert.equal(err.code, 'invalid_request');
      return err.param;
    };
    assert.equal(param({ input: [1, 2, 3] }), 'input');
    assert.equal(param({ input: [[1, 2]] }), 'input');
    assert.equal(param({ input: [] }), 'input');
    assert.equal(param({ input: '' }), 'input');
    assert.equal(param({ input: Array.from({ length: 65 }, () => 'x') }), 'input');
    assert.equal(param({ input: 'x', dimensions: 768 }), 'dimensions');
    assert.equal(param({ input: 'x', dimensions: 512 }, 'embedding-2'), 'dimensions');
    assert.equal(toZhipuEmbeddingsBody({ input: Array.from({ length: 64 }, () => 'x') }, 'embedding-3').model, 'embedding-3');
  });

  it('embedding-2 is fixed at 1024: asking for 1024 is fine and not sent', () => {
    assert.deepEqual(toZhipuEmbeddingsBody({ input: 'x', dimensions: 1024 }, 'embedding-2'), { model: 'embedding-2', input: 'x' });
  });

  it("parses Zhipu's list into OpenAI's, in input order, with prompt-only usage", () => {
    assert.deepEqual(fromZhipuEmbeddings(EMBEDDINGS_RESPONSE), {
      response: {
        object: 'list',
        data: [
          { object: 'embedding', index: 0, embedding: [0.125, 0.75] },
          { object: 'embedding', index: 1, embedding: [0.25, -0.5] },
        ],
        model: 'embedding-3',
        usage: { prompt_tokens: 12, total_tokens: 12 },
      },
      usage: { prompt_tokens: 12, completion_tokens: 0, total_tokens: 12 },
    });
  });

  it('a malformed or vector-less body is a retryable upstream_error; an error body is judged by its code', () => {
    for (const text of ['{"data":', '{"object":"list"}', '{"data":[{"index":0}]}']) {
      const err = thrown(() => fromZhipuEmbeddings(text));
      assert.deepEqual([err.code, err.retryable], ['upstream_error', true], text);
    }
    assert.equal(thrown(() => fromZhipuEmbeddings('{"error":{"code":"1113","message":"您的账户已欠费，请充值后重试"}}')).code, 'upstream_quota_error');
  });
});
