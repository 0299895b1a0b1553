// Compiled entry point (the build emits every project into the root dist/).
module.exports = require('../../dist/libs/routing/src/index.js');
