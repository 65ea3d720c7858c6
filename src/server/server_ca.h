// The server's certificate authority for end-to-end encryption: an RSA key created on first
// start, which signs users' CSRs the way a Nextcloud server does (PROTOCOL.md §4.1).
#pragma once

#include <expected>
#include <filesystem>
#include <string>

namespace nubo::server {

class ServerCa {
public:
    // Loads <directory>/server-ca.key, creating it (RSA-2048, mode 0600) on first start.
    // Throws std::runtime_error when the key cannot be read or written.
    explicit ServerCa(const std::filesystem::path& directory);
    ~ServerCa();
    ServerCa(const ServerCa&) = delete;
    ServerCa& operator=(const ServerCa&) = delete;

    // The public key as SPKI PEM (what GET server-key returns).
    std::string publicKeyPem() const;

    struct Refusal {
        unsigned status; // 400 unreadable CSR, 403 CN is not the user
        std::string message;
    };
    // Signs a PEM CSR whose CN must equal `user`. Like the real server (PHP openssl_csr_sign with
    // no CA certificate), the certificate carries the CSR's subject as issuer too, serial 0, the
    // default v3_ca extensions (subject and authority key identifier, basicConstraints critical
    // CA:TRUE), a SHA-256 signature by the server key, and is valid for 25 years.
    std::expected<std::string, Refusal> signCsr(const std::string& csrPem, const std::string& user) const;

private:
    struct Impl;
    Impl* m_impl;
};

} // namespace nubo::server
