// Compiled entry point (the build emits every project into the root dist/).
module.exports = require('../../dist/libs/anthropic/src/index.js');
