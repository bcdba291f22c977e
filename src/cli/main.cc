// `2501`: the command-line client of 2501 Accounts (docs/spec/CLI.md).

#include <curl/curl.h>

#include <iostream>

#include "cli/env.h"
#include "cli/run.h"
#include "core/time.h"

int main(int argc, char** argv) {
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    std::cerr << "2501: cannot initialise libcurl\n";
    return 1;
  }
  tfzo::SystemClock clock;
  int code =
      tfzo::cli::Run(argc, argv, std::cin, std::cout, std::cerr, tfzo::cli::ProcessEnv(), clock);
  std::cout.flush();
  curl_global_cleanup();
  return code;
}
