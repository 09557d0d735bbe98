'use strict';
// The reporter of the handler tests in the build (pom.xml): a passing run prints its closing counts in TAP's form
// ("# tests N", "# pass N", "# fail N", ...), which the CI log reader looks for, and nothing else; a failing test
// prints its name, where it is and its error; whatever a test file prints besides its tests is shown as it is.
// `node --test src/test/js/` without it reports every test (TAP, or spec on a terminal).
// https://nodejs.org/api/test.html#custom-reporters
const { inspect } = require('node:util');

const indent = (text) => String(text).split('\n').map((line) => `  ${line}`).join('\n');

module.exports = async function* counts(source) {
  for await (const { type, data } of source) {
    if (type === 'test:fail') {
      const where = data.file ? ` (${data.file}${data.line ? `:${data.line}` : ''})` : '';
      const error = data.details && data.details.error;
      yield `not ok - ${data.name}${where}\n${indent(inspect(error && error.cause ? error.cause : error))}\n`;
    } else if (type === 'test:diagnostic' && data.nesting === 0) {
      yield `# ${data.message}\n`;
    } else if (type === 'test:stdout' || type === 'test:stderr') {
      yield data.message;
    }
  }
};
