const config = {
  // positive: an Anthropic key inline
  anthropicKey: "sk-ant-api03-buaYuV8GEpAj08dNPu0DmtFQuOyDwYfFTRVBQaeIKJ8NFRXlCQH5T_8-gXdnSUtG4PpuLQrtsxaoI2eGjGHP4lkY6FYQYAA",
  // negative: read from the environment
  npmToken: process.env.NPM_TOKEN,
};
module.exports = config;
