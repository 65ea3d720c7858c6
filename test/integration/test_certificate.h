// A fresh self-signed certificate for 127.0.0.1 made with the openssl tool, for nubo-server's
// --tls-cert/--tls-key: DIR/NAME.pem and DIR/NAME.key, subject "CN=nubo test NAME". Returns its
// SHA-256 as `openssl x509 -fingerprint -sha256` prints it ("AB:CD:..."), "" when openssl failed.
#pragma once

#include <QProcess>
#include <QString>

#include <filesystem>
#include <string>

namespace nubo::itest {

inline std::string makeTestCertificate(const std::filesystem::path& dir, const std::string& name)
{
    QProcess make;
    make.setWorkingDirectory(QString::fromStdString(dir.string()));
    make.start("openssl", {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                           "-keyout", QString::fromStdString(name + ".key"), "-out",
                           QString::fromStdString(name + ".pem"), "-days", "2", "-subj",
                           "/CN=nubo test " + QString::fromStdString(name), "-addext", "subjectAltName=IP:127.0.0.1"});
    if (!make.waitForFinished(30000) || make.exitCode() != 0)
        return {};
    QProcess print;
    print.start("openssl", {"x509", "-noout", "-fingerprint", "-sha256", "-in",
                            QString::fromStdString((dir / (name + ".pem")).string())});
    if (!print.waitForFinished(30000) || print.exitCode() != 0)
        return {};
    const QString line = QString::fromUtf8(print.readAllStandardOutput()).trimmed(); // sha256 Fingerprint=AB:..
    return line.mid(line.indexOf('=') + 1).toStdString();
}

} // namespace nubo::itest
