// Maps request paths to the server's endpoint families and enforces authentication.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "http_types.h"
#include "storage.h"

namespace nubo::server {

class Router {
public:
    // `e2eeApiVersion`: what the capabilities advertise as end-to-end-encryption.api-version
    // ("2.0" or "2.1"; both are served by the same v2 API). `bulkUpload`: advertise
    // dav.bulkupload "1.0" and serve POST /remote.php/dav/bulk (else that path is 404).
    explicit Router(Storage& storage, std::string e2eeApiVersion = "2.0", bool bulkUpload = false)
        : m_storage(storage), m_e2eeApiVersion(std::move(e2eeApiVersion)), m_bulkUpload(bulkUpload)
    {
    }
    Response operator()(Request& request);

private:
    // Fills request.user from Basic credentials; false when they are absent or wrong.
    bool authenticate(Request& request);
    Response ocs(Request& request);
    Response loginFlow(Request& request);

    // Login flow v2: pending logins by poll token, with the browser-side token and, once the
    // user logged in, the issued app password.
    struct PendingLogin {
        std::string loginToken;
        std::string user;
        std::string appPassword;
        std::chrono::steady_clock::time_point created;
    };
    Storage& m_storage;
    std::string m_e2eeApiVersion;
    bool m_bulkUpload = false;
    std::mutex m_loginMutex;
    std::map<std::string, PendingLogin> m_logins;
};

// OCS envelope: on /ocs/v1.php HTTP 200 with statuscode 100 on success, on /ocs/v2.php the
// HTTP status carries the result and statuscode is 200 (PROTOCOL.md §1).
Response ocsReply(bool v2, unsigned httpStatus, const std::string& dataJson, const std::string& message = "OK");

} // namespace nubo::server
