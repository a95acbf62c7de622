// Tests are TypeScript ES modules, run by Jest's ESM support (node --experimental-vm-modules)
// with SWC stripping the types, the same erasable-only TypeScript that Node 24 runs directly.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2024' }, module: { type: 'es6' } }],
  },
  testMatch: ['<rootDir>/services/*/test/**/*.test.ts', '<rootDir>/scripts/**/*.test.ts', '<rootDir>/e2e/**/*.test.ts'],
  testTimeout: 30000,
  reporters: ['default', '<rootDir>/scripts/test/summary-reporter.js'],
  globalSetup: '<rootDir>/services/kernel/src/testing/global-setup.ts',
  globalTeardown: '<rootDir>/services/kernel/src/testing/global-teardown.ts',
};
