// Compiled entry point (the build emits every project into the root dist/).
module.exports = require('../../dist/libs/openai/src/index.js');
