// Known-answer tests every program runs at start-up; a failure must stop the program.
#pragma once

#include "error.h"

namespace nubo::e2ee {

// AES-128-GCM (NIST GCM test cases 2 and 3, and tag rejection), PBKDF2-HMAC-SHA1
// (RFC 6070) and -SHA256 (RFC 7914), and an RSA-OAEP-SHA256 round trip. About a millisecond.
Result<void> selfTest();

} // namespace nubo::e2ee
