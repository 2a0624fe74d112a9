// Entry point placeholder: replaced by the CLI (decode, run, healthcheck subcommands).
#include <cstdio>

int main() {
  std::puts("cdc-consumer " CDC_VERSION);
  return 0;
}
