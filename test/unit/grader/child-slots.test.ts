import { ChildSlots, SlotShare } from '../../../src/grader/child-slots';

/** Lets every settled promise's callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('ChildSlots', () => {
  it('hands out its slots at once, then in the order they were asked for', async () => {
    const slots = new ChildSlots(2);
    const got: string[] = [];
    const ask = (name: string) => slots.take().then((ok) => ok && got.push(name));
    await Promise.all([ask('a'), ask('b')]);
    void ask('c');
    void ask('d');
    await settle();
    expect(got).toEqual(['a', 'b']);
    slots.give();
    await settle();
    expect(got).toEqual(['a', 'b', 'c']);
    slots.give();
    await settle();
    expect(got).toEqual(['a', 'b', 'c', 'd']);
  });

  it('lets a waiting request withdraw: it resolves false, holds nothing, and the next in line moves up', async () => {
    const slots = new ChildSlots(1);
    expect(await slots.take()).toBe(true);
    const stop = new AbortController();
    const first = slots.take(stop.signal);
    const second = slots.take();
    stop.abort();
    expect(await first).toBe(false);
    slots.give();
    expect(await second).toBe(true);
    // Nothing is left over: the slot the withdrawn request never took is not counted twice.
    let third = false;
    void slots.take().then((ok) => (third = ok));
    await settle();
    expect(third).toBe(false);
    slots.give();
    await settle();
    expect(third).toBe(true);
  });

  it('refuses at once when already aborted, and never hands out more than its size', async () => {
    const slots = new ChildSlots(3);
    const stop = new AbortController();
    stop.abort();
    expect(await slots.take(stop.signal)).toBe(false);
    let held = 0;
    let most = 0;
    const use = async () => {
      await slots.take();
      held++;
      most = Math.max(most, held);
      await settle();
      held--;
      slots.give();
    };
    await Promise.all(Array.from({ length: 10 }, use));
    expect(most).toBe(3);
  });

  it('has at least one slot', async () => {
    expect(await new ChildSlots(0).take()).toBe(true);
  });

  it("gives back on release only what an exercise's share still holds, however it was given back before", async () => {
    const pool = new ChildSlots(3);
    await pool.take();
    const share = new SlotShare(pool);
    expect(await share.take()).toBe(true);
    // The admission slot given back early (the first seed child done) and the taken one still held.
    share.give();
    share.release();
    share.release();
    share.give();
    // All three free again, and no more: a fourth request waits.
    const got = await Promise.all([pool.take(), pool.take(), pool.take()]);
    expect(got).toEqual([true, true, true]);
    let fourth = false;
    void pool.take().then((ok) => (fourth = ok));
    await settle();
    expect(fourth).toBe(false);
  });
});
