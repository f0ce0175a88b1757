import { linkedUnits } from '../../../src/datasets/units';

describe('linkedUnits', () => {
  it('names each unit by its first item and chains copies across groups', () => {
    // Items 1 and 4 are copies; 1 is in group 0 with 0, 4 in group 2 with 5: 0, 1, 4, 5 are one unit.
    const keys = ['a', 'b', 'c', 'd', 'b', 'e'];
    const groups = [0, 0, 1, 1, 2, 2];
    expect(
      Array.from(
        linkedUnits(
          6,
          (i) => keys[i],
          (i) => groups[i],
        ),
      ),
    ).toEqual([0, 0, 2, 2, 0, 0]);
  });

  it('without groups only copies are linked', () => {
    const keys = ['x', 'y', 'x', 'z', 'y'];
    expect(Array.from(linkedUnits(5, (i) => keys[i]))).toEqual([0, 1, 0, 3, 1]);
  });
});
