/** A test file, a test/ folder or the test-support workspace: code that must never ship. */
const TEST_CODE = /(^|\/)(test|test-support)\/|\.test\.ts$/;

/** The modules of a bundle's module list that are test code. */
export function testCodeIn(modules: readonly string[]): string[] {
  return modules.filter((module) => TEST_CODE.test(module));
}
