// Compiled entry point (the build emits every project into the root dist/).
module.exports = require('../../dist/apps/mock-provider/src/index.js');
