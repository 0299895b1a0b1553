// Compiled entry point (the build emits every project into the root dist/).
module.exports = require('../dist/tools/start/index.js');
