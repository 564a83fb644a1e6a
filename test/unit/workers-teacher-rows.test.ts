/** The frozen teacher's kept rows: exact keys, least recently used out past the byte budget, nothing over it kept. */
import { describe, it, expect } from 'vitest';
import { TeacherRows } from '../../src/workers/teacher-rows.ts';

describe('TeacherRows', () => {
  it('scores a context and reply once, keys them exactly, and drops the least recently used past its budget', async () => {
    const rows = new TeacherRows(3 * 40); // three rows of 10 floats
    let scored = 0;
    const score = (fill: number) => async () => (scored++, new Float32Array(10).fill(fill));
    const a = await rows.get([1, 2], [3], 0.6, score(1));
    expect(await rows.get([1, 2], [3], 0.6, score(9))).toBe(a); // looked up
    expect(scored).toBe(1);
    // another context, reply or temperature is another entry
    await rows.get([1, 2, 3], [], 0.6, score(2));
    await rows.get([1, 2], [3], 0.7, score(3));
    expect(scored).toBe(3);
    await rows.get([1, 2], [3], 0.6, score(9)); // a used again: the context [1,2,3] is now the least recently used
    await rows.get([4], [5], 0.6, score(4)); // a fourth row: over budget, [1,2,3] goes
    expect(scored).toBe(4);
    expect((await rows.get([1, 2], [3], 0.6, score(9)))[0]).toBe(1);
    expect(scored).toBe(4);
    expect((await rows.get([1, 2, 3], [], 0.6, score(5)))[0]).toBe(5);
    expect(scored).toBe(5);
    // rows bigger than the whole budget are returned, not kept; clear empties it
    await rows.get([7], [7], 0.6, async () => (scored++, new Float32Array(31)));
    await rows.get([7], [7], 0.6, async () => (scored++, new Float32Array(31)));
    expect(scored).toBe(7);
    rows.clear();
    await rows.get([1, 2], [3], 0.6, score(6));
    expect(scored).toBe(8);
  });
});
