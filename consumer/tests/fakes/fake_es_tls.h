#pragma once

#include <string>

#include "core/status.h"

namespace cdc::testing {

struct TestCertificate {
  std::string cert_file;  // PEM; also the CA file that trusts it (it is self-signed)
  std::string key_file;   // PEM, unencrypted
};

// A fresh private temporary directory (mkdtemp), for files a test writes.
Result<std::string> MakeTempDir();

// Writes a self-signed P-256 certificate (CA:TRUE, valid from an hour ago for a day) whose
// subjectAltName is `san` ("IP:127.0.0.1", "DNS:wrong.example.invalid") into `dir`/`name`.pem and
// `dir`/`name`.key. Generated at test time, so no private key is checked in and none expires.
Result<TestCertificate> WriteSelfSignedCertificate(const std::string& dir, const std::string& name,
                                                   const std::string& san);

}  // namespace cdc::testing
