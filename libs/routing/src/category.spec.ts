import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Category, ChatLike } from './classification';
import { FeatureScanner } from './features';

const user = (content: string): ChatLike => ({ messages: [{ role: 'user', content }] });

describe('categorize (rules over the scan)', () => {
  const scanner = new FeatureScanner();
  const table: [string, ChatLike, Category][] = [
    ['greeting', user('Hi! How are you today?'), 'chat'],
    ['thanks', user('thanks, that was helpful'), 'chat'],
    ['fact question', user('What is the capital of France?'), 'knowledge'],
    ['multiple choice', user('Which planet is largest?\nA. Mars\nB. Jupiter\nC. Venus\nD. Earth\nAnswer:'), 'knowledge'],
    ['poem', user('Write a short poem about autumn leaves for my daughter.'), 'writing'],
    ['email', user('Draft an email to my landlord asking to fix the heating.'), 'writing'],
    ['word problem', user('Maria buys 12 pencils at $0.25 each and 4 notebooks at $3 each. How much does she pay in total?'), 'math'],
    ['latex', user('Evaluate $\\int_0^1 x^2 \\, dx$ and simplify \\frac{a}{b}.'), 'math'],
    ['proof', user('Prove that there are infinitely many primes. Give a rigorous proof by contradiction.'), 'reasoning'],
    ['math proof', user('Prove that for every integer $n \\ge 1$, $\\sum_{k=1}^{n} k = n(n+1)/2$ by induction.'), 'math'],
    ['puzzle', user('Why does the logic of this riddle work? Explain your reasoning.'), 'reasoning'],
    ['code fence', user('Why does this fail?\n```python\ndef f(x):\n    return x +\n```'), 'code'],
    ['code words', user('Implement a function in TypeScript that debounces an async api call.'), 'code'],
    ['python function', user('Write a Python function that reverses a linked list.'), 'code'],
    ['binary search in Java', user('Implement a binary search in Java.'), 'code'],
    ['sql query', user('Write a SQL query that returns the ten customers with the highest total order value.'), 'code'],
    ['fix this bug', user('Fix this bug:\nfor (let i = 0; i <= items.length; i++) {\n  total += items[i].price;\n}'), 'code'],
    ['fix this bug (python, no fence)', user('Fix this bug: def mean(xs): return sum(xs) / len(xs) - 1'), 'code'],
    ['refactor', user('Refactor this TypeScript class to use composition instead of inheritance.'), 'code'],
    ['email to landlord', user('Write an email to my landlord asking him to fix the broken heating.'), 'writing'],
    ['poem about autumn', user('Write a poem about autumn.'), 'writing'],
    ['query letter', user('Write a query letter to a literary agent for my fantasy novel.'), 'writing'],
    ['code of conduct', user('Write a short code of conduct for our chess club.'), 'writing'],
    ['derivative of a function', user('Find the derivative of the function f(x) = 3x^2 + 2x - 5.'), 'math'],
    ['proof: infinitely many primes', user('Prove that there are infinitely many primes.'), 'reasoning'],
    ['proof: sqrt(2) irrational', user('Prove that sqrt(2) is irrational.'), 'reasoning'],
    ['proof: even sum', user('Prove that the sum of two even numbers is even.'), 'reasoning'],
    ['extraction', user(`Extract every person and date from this text as JSON. ${'On 3 March 2021 Alice met Bob in Paris. '.repeat(10)}`), 'extraction'],
    ['json mode', { messages: [{ role: 'user', content: 'List three colours.' }], response_format: { type: 'json_object' } }, 'extraction'],
    ['tools', { messages: [{ role: 'user', content: 'What is the weather in Oslo?' }], tools: [{ type: 'function', function: { name: 'weather' } }] }, 'tools'],
    ['tool result turn', { messages: [{ role: 'user', content: 'x' }, { role: 'assistant', tool_calls: [{ id: '1' }] }, { role: 'tool', content: '{}' }] }, 'tools'],
  ];
  for (const [name, body, expected] of table) {
    it(`${name} → ${expected}`, () => assert.equal(scanner.extract(body).category, expected));
  }
});
