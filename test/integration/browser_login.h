// What a user does in the browser during Login Flow v2, played over HTTP: the login page nubo-server
// serves, then its form sent with these credentials. Returns the form's HTTP status (200 when the
// app password was granted, 403 for wrong credentials) or -1 when no answer came.
#pragma once

#include "http_client.h"

#include <QUrlQuery>

#include <string>

namespace nubo::itest {

inline int logInWithTheBrowser(const std::string& loginUrl, const std::string& user, const std::string& password,
                               const std::string& pinnedCertificate = {})
{
    sync::HttpClientOptions options;
    options.pinnedCertificate = pinnedCertificate;
    sync::HttpClient browser(options);
    sync::HttpRequest page;
    page.url = QUrl(QString::fromStdString(loginUrl));
    auto shown = browser.send(page);
    if (!shown || shown->status != 200)
        return shown ? shown->status : -1;
    sync::HttpRequest form;
    form.method = "POST";
    form.url = page.url;
    form.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    QUrlQuery fields;
    fields.addQueryItem(QStringLiteral("user"), QString::fromStdString(user));
    fields.addQueryItem(QStringLiteral("password"), QString::fromStdString(password));
    form.body = fields.toString(QUrl::FullyEncoded).toUtf8();
    auto sent = browser.send(form);
    return sent ? sent->status : -1;
}

} // namespace nubo::itest
