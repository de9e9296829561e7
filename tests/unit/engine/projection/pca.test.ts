// PCA of the embedding map against hand-computed cases and an independent eigen-decomposition
// (cyclic Jacobi on a covariance computed here, not by the module).
import { describe, expect, it } from 'vitest';
import { DIRECT_MAX_DIM, pca } from '../../../../src/main/engine/projection/pca';
import { createRng } from '../../../../src/main/engine/data/random';
import { covarianceOf, jacobi } from '../../../helpers/eigen';

const dot = (x: ArrayLike<number>, y: ArrayLike<number>) => Array.from(x).reduce((s, xi, i) => s + xi * y[i], 0);

describe('pca', () => {
  it('4 points on two axes: variances 0.5 and 0.125, ratios 0.8 / 0.2, coordinates as given', () => {
    // Centred already; covariance (1/n) = diag(2/4, 0.5/4).
    const x = Float32Array.from([1, 0, -1, 0, 0, 0.5, 0, -0.5]);
    const r = pca(x, 4, 2);
    expect(r.eigenvalues[0]).toBeCloseTo(0.5, 12);
    expect(r.eigenvalues[1]).toBeCloseTo(0.125, 12);
    expect(r.explained[0]).toBeCloseTo(0.8, 12);
    expect(r.explained[1]).toBeCloseTo(0.2, 12);
    expect(Array.from(r.components[0]).map((v) => +v.toFixed(9))).toEqual([1, 0]);
    expect(Array.from(r.components[1]).map((v) => +v.toFixed(9))).toEqual([0, 1]);
    expect(Array.from(r.coords).map((v) => +v.toFixed(6))).toEqual([1, 0, -1, 0, 0, 0.5, 0, -0.5]);
  });

  it('3 points on a line in 3-D: one component (1,1,1)/√3 carries all the variance', () => {
    const x = Float32Array.from([4, 4, 4, 5, 5, 5, 6, 6, 6]); // mean (5,5,5), steps of (1,1,1)
    const r = pca(x, 3, 3);
    // Covariance (2/3)·J: eigenvalue 2 along (1,1,1)/√3, 0 elsewhere.
    expect(r.eigenvalues[0]).toBeCloseTo(2, 10);
    expect(r.explained[0]).toBeCloseTo(1, 10);
    expect(r.explained[1]).toBeCloseTo(0, 10);
    for (const v of r.components[0]) expect(v).toBeCloseTo(1 / Math.sqrt(3), 9);
    expect(r.coords[0]).toBeCloseTo(-Math.sqrt(3), 5);
    expect(r.coords[2]).toBeCloseTo(0, 5);
    expect(r.coords[4]).toBeCloseTo(Math.sqrt(3), 5);
    expect(Math.abs(dot(r.components[0], r.components[1]))).toBeLessThan(1e-9);
  });

  it('random anisotropic data: orthonormal components, ratios equal to the Jacobi eigenvalues', () => {
    const rng = createRng(5);
    const n = 300;
    const d = 12;
    // Column scales 12..1 in a random rotation, plus an offset: a spectrum with distinct gaps.
    const x = new Float32Array(n * d);
    for (let r = 0; r < n; r++) for (let c = 0; c < d; c++) x[r * d + c] = rng.normal() * (d - c) + 3 * c;
    const res = pca(x, n, d);
    const { mean, cov } = covarianceOf(x, n, d);
    const { values, vectors } = jacobi(cov);
    const trace = values.reduce((s, v) => s + v, 0);
    expect(res.totalVariance).toBeCloseTo(trace, 6);
    expect(res.explained[0]).toBeCloseTo(values[0] / trace, 9);
    expect(res.explained[1]).toBeCloseTo(values[1] / trace, 9);
    expect(dot(res.components[0], res.components[0])).toBeCloseTo(1, 12);
    expect(dot(res.components[1], res.components[1])).toBeCloseTo(1, 12);
    expect(Math.abs(dot(res.components[0], res.components[1]))).toBeLessThan(1e-12);
    // Same directions as Jacobi's, up to sign, and the coordinates are the centred projections.
    for (let j = 0; j < 2; j++) {
      expect(Math.abs(dot(res.components[j], vectors[j]))).toBeGreaterThan(1 - 1e-9);
      for (const r of [0, 17, n - 1]) {
        const proj = Array.from({ length: d }, (_, c) => (x[r * d + c] - mean[c]) * res.components[j][c]).reduce((s, v) => s + v, 0);
        expect(res.coords[r * 2 + j]).toBeCloseTo(proj, 3);
      }
    }
    // Equal input, equal output (seeded start, fixed signs).
    expect(Array.from(pca(x, n, d).coords)).toEqual(Array.from(res.coords));
  });

  it(`wider than ${DIRECT_MAX_DIM}-d (subspace iteration): the same eigenvalues as Jacobi, orthonormal components`, () => {
    const rng = createRng(3);
    const n = 400;
    const d = DIRECT_MAX_DIM + 12;
    const x = new Float32Array(n * d);
    for (let r = 0; r < n; r++) for (let c = 0; c < d; c++) x[r * d + c] = rng.normal() * (1 + 8 / (1 + c)) - c;
    const res = pca(x, n, d);
    const { mean, cov } = covarianceOf(x, n, d);
    const { values, vectors } = jacobi(cov);
    const trace = values.reduce((s, v) => s + v, 0);
    expect(res.explained[0]).toBeCloseTo(values[0] / trace, 8);
    expect(res.explained[1]).toBeCloseTo(values[1] / trace, 8);
    expect(Math.abs(dot(res.components[0], res.components[1]))).toBeLessThan(1e-10);
    for (let j = 0; j < 2; j++) {
      expect(dot(res.components[j], res.components[j])).toBeCloseTo(1, 10);
      expect(Math.abs(dot(res.components[j], vectors[j]))).toBeGreaterThan(1 - 1e-6);
    }
    const proj = Array.from({ length: d }, (_, c) => (x[c] - mean[c]) * res.components[0][c]).reduce((s, v) => s + v, 0);
    expect(res.coords[0]).toBeCloseTo(proj, 3);
  });

  it('isotropic noise (near-equal eigenvalues) still converges to the top-2 eigenvalues', () => {
    const rng = createRng(9);
    const n = 500;
    const d = 32;
    const x = Float32Array.from({ length: n * d }, () => rng.normal());
    const res = pca(x, n, d);
    const { mean, cov } = covarianceOf(x, n, d);
    const { values } = jacobi(cov);
    expect(res.eigenvalues[0]).toBeCloseTo(values[0], 7);
    expect(res.eigenvalues[1]).toBeCloseTo(values[1], 7);
  });
});
