#include "general_pane.h"

#include "autostart.h"
#include "exclude_list.h"
#include "translations.h"
#include "ui_helpers.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QFile>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSaveFile>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>

namespace nubo::gui {

namespace {
QSpinBox* limitBox(QWidget* parent, const QString& objectName, const QString& accessibleName, std::int64_t value)
{
    auto* box = new QSpinBox(parent);
    box->setObjectName(objectName);
    box->setAccessibleName(accessibleName);
    box->setRange(0, 1'000'000);
    box->setSingleStep(100);
    box->setSuffix(QObject::tr(" KiB/s"));
    box->setSpecialValueText(QObject::tr("No limit"));
    box->setValue(static_cast<int>(std::min<std::int64_t>(value, 1'000'000)));
    box->setKeyboardTracking(false); // one change when the user is done typing, not per digit
    return box;
}

QLabel* statusLabel(QWidget* parent, const QString& objectName)
{
    auto* label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    label->hide();
    return label;
}

void showStatus(QLabel* label, const QString& text, bool error)
{
    label->setText(text);
    label->setStyleSheet(error ? QStringLiteral("color: #c0392b;") : QString());
    // A description, not a name: a label's name is what a screen reader reads, its text.
    label->setAccessibleDescription(error ? QObject::tr("Error") : QObject::tr("Status"));
    label->setVisible(!text.isEmpty());
}
} // namespace

GeneralPane::GeneralPane(AppSettings& settings, QWidget* parent)
    : QWidget(parent), m_settings(settings), m_program(QCoreApplication::applicationFilePath())
{
    setObjectName(QStringLiteral("generalPane"));
    setAccessibleName(tr("General settings"));
    auto* content = new QWidget;
    auto* layout = new QVBoxLayout(content);
    layout->addWidget(buildStartup());
    layout->addWidget(buildBandwidth());
    layout->addWidget(buildExcludes());
    layout->addWidget(buildProxy());
    layout->addStretch();
    // The pane is taller than a small window: it scrolls rather than squeezing its fields.
    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(content);
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(scroll);
}

QWidget* GeneralPane::buildStartup()
{
    auto* box = new QGroupBox(tr("Start"), this);
    auto* form = new QFormLayout(box);
    m_autostart = new QCheckBox(tr("&Start Nubo when I log in"), box);
    m_autostart->setObjectName(QStringLiteral("autostart"));
    m_autostart->setChecked(autostartEnabled());
    form->addRow(m_autostart);
    m_autostartError = errorLabel(box, QStringLiteral("autostartError"));
    form->addRow(m_autostartError);
    connect(m_autostart, &QCheckBox::toggled, this, [this](bool on) {
        const QString error = setAutostart(on, m_program);
        m_autostartError->setText(error);
        m_autostartError->setVisible(!error.isEmpty());
        if (!error.isEmpty()) {
            const QSignalBlocker block(m_autostart);
            m_autostart->setChecked(autostartEnabled());
        }
    });

    m_language = new QComboBox(box);
    m_language->setObjectName(QStringLiteral("language"));
    for (const Language& language : availableLanguages())
        m_language->addItem(language.name, language.code);
    m_language->setCurrentIndex(std::max(0, m_language->findData(m_settings.language())));
    auto* languageLabel = new QLabel(tr("&Language:"), box);
    languageLabel->setBuddy(m_language);
    form->addRow(languageLabel, m_language);
    m_languageNote = statusLabel(box, QStringLiteral("languageNote"));
    form->addRow(m_languageNote);
    connect(m_language, &QComboBox::currentIndexChanged, this, [this] {
        const QString code = m_language->currentData().toString();
        m_settings.setLanguage(code);
        showStatus(m_languageNote, tr("The language changes when Nubo starts again."), false);
        emit languageChanged(code);
    });
    return box;
}

QWidget* GeneralPane::buildBandwidth()
{
    auto* box = new QGroupBox(tr("Bandwidth"), this);
    auto* form = new QFormLayout(box);
    m_upload = limitBox(box, QStringLiteral("uploadLimit"), tr("Upload limit"), m_settings.uploadLimitKiB());
    m_download = limitBox(box, QStringLiteral("downloadLimit"), tr("Download limit"), m_settings.downloadLimitKiB());
    auto* upLabel = new QLabel(tr("&Upload limit:"), box);
    upLabel->setBuddy(m_upload);
    auto* downLabel = new QLabel(tr("&Download limit:"), box);
    downLabel->setBuddy(m_download);
    form->addRow(upLabel, m_upload);
    form->addRow(downLabel, m_download);
    auto* hint = new QLabel(tr("For all folders together; a change applies to transfers under way."), box);
    hint->setWordWrap(true);
    form->addRow(hint);
    const auto changed = [this] {
        m_settings.setBandwidthLimits(m_upload->value(), m_download->value());
        emit bandwidthChanged(m_upload->value(), m_download->value());
    };
    connect(m_upload, &QSpinBox::valueChanged, this, changed);
    connect(m_download, &QSpinBox::valueChanged, this, changed);
    return box;
}

QWidget* GeneralPane::buildExcludes()
{
    auto* box = new QGroupBox(tr("Files to leave out"), this);
    auto* layout = new QVBoxLayout(box);
    auto* hint = new QLabel(tr("One pattern per line, as in Nextcloud's sync-exclude.lst: *.tmp, build/ (a folder), "
                               "/notes.txt (only at the top). Files that match are neither uploaded nor downloaded, "
                               "and never deleted because of it. Nubo's own patterns (temporary files of editors and "
                               "of the system) always apply."),
                            box);
    hint->setWordWrap(true);
    layout->addWidget(hint);
    m_excludes = new QPlainTextEdit(box);
    m_excludes->setObjectName(QStringLiteral("excludes"));
    m_excludes->setAccessibleName(tr("Patterns of files to leave out"));
    m_excludes->setTabChangesFocus(true);
    m_excludes->setMinimumHeight(90);
    QFile file(m_settings.excludeFile());
    if (file.open(QIODevice::ReadOnly))
        m_excludes->setPlainText(QString::fromUtf8(file.readAll()));
    hint->setBuddy(m_excludes);
    layout->addWidget(m_excludes);
    m_saveExcludes = new QPushButton(tr("Sa&ve patterns"), box);
    m_saveExcludes->setObjectName(QStringLiteral("saveExcludes"));
    m_saveExcludes->setEnabled(false);
    layout->addWidget(m_saveExcludes, 0, Qt::AlignLeft);
    m_excludesStatus = statusLabel(box, QStringLiteral("excludesStatus"));
    layout->addWidget(m_excludesStatus);
    connect(m_excludes, &QPlainTextEdit::textChanged, this, [this] { m_saveExcludes->setEnabled(true); });
    connect(m_saveExcludes, &QPushButton::clicked, this, &GeneralPane::saveExcludes);
    return box;
}

void GeneralPane::saveExcludes()
{
    const QString text = m_excludes->toPlainText();
    QSaveFile out(m_settings.excludeFile());
    if (!out.open(QIODevice::WriteOnly) || out.write(text.toUtf8()) < 0 || !out.commit()) {
        setExcludesResult(tr("Nubo cannot write %1 (%2); the folders go on with the patterns they had.")
                              .arg(m_settings.excludeFile(), out.errorString()));
        return;
    }
    m_saveExcludes->setEnabled(false);
    emit excludesChanged();
}

void GeneralPane::setExcludesResult(const QString& error)
{
    showStatus(m_excludesStatus,
               error.isEmpty() ? tr("Saved. The folders sync with these patterns from now on.") : error,
               !error.isEmpty());
}

QWidget* GeneralPane::buildProxy()
{
    auto* box = new QGroupBox(tr("Network proxy"), this);
    auto* layout = new QVBoxLayout(box);
    m_proxySystem = new QRadioButton(tr("Use the s&ystem's proxy settings"), box);
    m_proxySystem->setObjectName(QStringLiteral("proxySystem"));
    m_proxyNone = new QRadioButton(tr("&No proxy"), box);
    m_proxyNone->setObjectName(QStringLiteral("proxyNone"));
    m_proxyManual = new QRadioButton(tr("Use &this proxy:"), box);
    m_proxyManual->setObjectName(QStringLiteral("proxyManual"));
    auto* group = new QButtonGroup(box);
    for (QRadioButton* button : {m_proxySystem, m_proxyNone, m_proxyManual}) {
        group->addButton(button);
        layout->addWidget(button);
    }
    auto* form = new QFormLayout;
    form->setContentsMargins(24, 0, 0, 0);
    m_proxyType = new QComboBox(box);
    m_proxyType->setObjectName(QStringLiteral("proxyType"));
    m_proxyType->addItem(tr("HTTP"), int(sync::ProxySettings::Type::Http));
    m_proxyType->addItem(tr("SOCKS5"), int(sync::ProxySettings::Type::Socks5));
    m_proxyType->addItem(tr("SOCKS5, names resolved by the proxy"), int(sync::ProxySettings::Type::Socks5h));
    m_proxyHost = new QLineEdit(box);
    m_proxyHost->setObjectName(QStringLiteral("proxyHost"));
    m_proxyHost->setPlaceholderText(tr("proxy.example.org"));
    m_proxyPort = new QSpinBox(box);
    m_proxyPort->setObjectName(QStringLiteral("proxyPort"));
    m_proxyPort->setRange(0, 65535);
    m_proxyPort->setSpecialValueText(tr("(port)"));
    m_proxyAuth = new QCheckBox(tr("The proxy needs a &login"), box);
    m_proxyAuth->setObjectName(QStringLiteral("proxyAuth"));
    m_proxyUser = new QLineEdit(box);
    m_proxyUser->setObjectName(QStringLiteral("proxyUser"));
    m_proxyPassword = new QLineEdit(box);
    m_proxyPassword->setObjectName(QStringLiteral("proxyPassword"));
    m_proxyPassword->setEchoMode(QLineEdit::Password);
    m_proxyPassword->setPlaceholderText(tr("(unchanged)"));
    const auto row = [&](const QString& text, QWidget* field) {
        auto* label = new QLabel(text, box);
        label->setBuddy(field);
        form->addRow(label, field);
    };
    row(tr("T&ype:"), m_proxyType);
    row(tr("&Host:"), m_proxyHost);
    row(tr("&Port:"), m_proxyPort);
    form->addRow(m_proxyAuth);
    row(tr("U&ser:"), m_proxyUser);
    row(tr("Pass&word:"), m_proxyPassword);
    layout->addLayout(form);
    m_applyProxy = new QPushButton(tr("&Apply proxy settings"), box);
    m_applyProxy->setObjectName(QStringLiteral("applyProxy"));
    layout->addWidget(m_applyProxy, 0, Qt::AlignLeft);
    m_proxyStatus = statusLabel(box, QStringLiteral("proxyStatus"));
    layout->addWidget(m_proxyStatus);

    const sync::ProxySettings proxy = m_settings.proxy();
    m_proxySystem->setChecked(proxy.mode == sync::ProxySettings::Mode::System);
    m_proxyNone->setChecked(proxy.mode == sync::ProxySettings::Mode::None);
    m_proxyManual->setChecked(proxy.mode == sync::ProxySettings::Mode::Manual);
    m_proxyType->setCurrentIndex(std::max(0, m_proxyType->findData(int(proxy.type))));
    m_proxyHost->setText(QString::fromStdString(proxy.host));
    m_proxyPort->setValue(proxy.port);
    m_proxyUser->setText(QString::fromStdString(proxy.user));
    m_proxyAuth->setChecked(!proxy.user.empty());
    updateProxyControls();
    connect(group, &QButtonGroup::buttonToggled, this, &GeneralPane::updateProxyControls);
    connect(m_proxyAuth, &QCheckBox::toggled, this, &GeneralPane::updateProxyControls);
    connect(m_applyProxy, &QPushButton::clicked, this, &GeneralPane::applyProxy);
    return box;
}

void GeneralPane::updateProxyControls()
{
    const bool manual = m_proxyManual->isChecked();
    for (QWidget* w : std::initializer_list<QWidget*>{m_proxyType, m_proxyHost, m_proxyPort, m_proxyAuth})
        w->setEnabled(manual);
    m_proxyUser->setEnabled(manual && m_proxyAuth->isChecked());
    m_proxyPassword->setEnabled(manual && m_proxyAuth->isChecked());
}

void GeneralPane::applyProxy()
{
    sync::ProxySettings proxy;
    proxy.mode = m_proxyManual->isChecked() ? sync::ProxySettings::Mode::Manual
                 : m_proxyNone->isChecked() ? sync::ProxySettings::Mode::None
                                            : sync::ProxySettings::Mode::System;
    QString password;
    if (proxy.mode == sync::ProxySettings::Mode::Manual) {
        proxy.type = static_cast<sync::ProxySettings::Type>(m_proxyType->currentData().toInt());
        const QString host = m_proxyHost->text().trimmed();
        if (host.isEmpty() || host.contains(QLatin1Char(' ')) || host.contains(QLatin1Char('/'))) {
            setProxyResult(tr("Enter the proxy's host name or address, such as proxy.example.org, without http:// "
                              "or a port."));
            m_proxyHost->setFocus();
            return;
        }
        if (m_proxyPort->value() == 0) {
            setProxyResult(tr("Enter the proxy's port, such as 3128 for HTTP or 1080 for SOCKS5."));
            m_proxyPort->setFocus();
            return;
        }
        proxy.host = host.toStdString();
        proxy.port = static_cast<std::uint16_t>(m_proxyPort->value());
        if (m_proxyAuth->isChecked()) {
            if (m_proxyUser->text().isEmpty()) {
                setProxyResult(tr("Enter the user name the proxy expects, or untick \"The proxy needs a login\"."));
                m_proxyUser->setFocus();
                return;
            }
            proxy.user = m_proxyUser->text().toStdString();
            password = m_proxyPassword->text();
        }
    }
    m_pendingProxy = proxy;
    m_proxyPassword->clear();
    m_applyProxy->setEnabled(false); // until the controller answers
    emit proxyApplyRequested(proxy, password);
}

void GeneralPane::setProxyResult(const QString& error)
{
    m_applyProxy->setEnabled(true);
    if (error.isEmpty() && m_pendingProxy) // saved once it works: a failed change is not kept
        m_settings.setProxy(*m_pendingProxy);
    m_pendingProxy.reset();
    showStatus(m_proxyStatus,
               error.isEmpty() ? tr("Applied: Nubo now connects through %1.")
                                     .arg(QString::fromStdString(sync::describeProxy(m_settings.proxy())))
                               : error,
               !error.isEmpty());
}

} // namespace nubo::gui
