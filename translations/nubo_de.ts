<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de" sourcelanguage="en">
<context>
    <name>QObject</name>
    <message>
        <location filename="../src/gui/account_wizard.cpp" line="+29"/>
        <source>Check the address and that this computer is online.</source>
        <translation>Prüfen Sie die Adresse und ob dieser Computer online ist.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Check that this is the address of a Nextcloud server (the one you open in the browser).</source>
        <translation>Prüfen Sie, ob dies die Adresse eines Nextcloud-Servers ist (die Adresse, die Sie im Browser öffnen).</translation>
    </message>
    <message>
        <location filename="../src/gui/app_settings.cpp" line="+196"/>
        <source>Choose a local folder (a full path such as %1).</source>
        <translation>Wählen Sie einen lokalen Ordner (einen vollständigen Pfad wie %1).</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 is a file, not a folder: choose a folder.</source>
        <translation>%1 ist eine Datei, kein Ordner: Wählen Sie einen Ordner.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 is already synced (as part of %2): choose another folder.</source>
        <translation>%1 wird bereits synchronisiert (als Teil von %2): Wählen Sie einen anderen Ordner.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 contains %2, which is already synced: choose another folder.</source>
        <translation>%1 enthält %2, der bereits synchronisiert wird: Wählen Sie einen anderen Ordner.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 does not exist and cannot be made here: choose a folder you can write to.</source>
        <translation>%1 existiert nicht und kann hier nicht angelegt werden: Wählen Sie einen Ordner, in den Sie schreiben können.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Nubo cannot write to %1 (%2): choose a folder you can write to, or change its permissions.</source>
        <translation>Nubo kann nicht in %1 schreiben (%2): Wählen Sie einen Ordner, in den Sie schreiben können, oder ändern Sie seine Berechtigungen.</translation>
    </message>
    <message>
        <location filename="../src/gui/autostart.cpp" line="+63"/>
        <source>Nubo&apos;s path holds a line break, which an autostart entry cannot hold: move Nubo to a plainer path.</source>
        <translation>Der Pfad von Nubo enthält einen Zeilenumbruch, den ein Autostart-Eintrag nicht enthalten kann: Verschieben Sie Nubo in einen einfacheren Pfad.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Nubo cannot remove %1: remove it by hand, or check its permissions.</source>
        <translation>Nubo kann %1 nicht entfernen: Entfernen Sie die Datei von Hand, oder prüfen Sie ihre Berechtigungen.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Nubo cannot make the folder %1: check its permissions.</source>
        <translation>Nubo kann den Ordner %1 nicht anlegen: Prüfen Sie seine Berechtigungen.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Nubo cannot write %1 (%2): check the folder&apos;s permissions and free space.</source>
        <translation>Nubo kann %1 nicht schreiben (%2): Prüfen Sie die Berechtigungen und den freien Speicherplatz des Ordners.</translation>
    </message>
    <message>
        <location filename="../src/gui/encryption_pane.cpp" line="+53"/>
        <location filename="../src/gui/general_pane.cpp" line="+58"/>
        <location filename="../src/gui/ui_helpers.cpp" line="+16"/>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Check that this computer is online, then try again.</source>
        <translation>Prüfen Sie, ob dieser Computer online ist, und versuchen Sie es dann erneut.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The server no longer accepts Nubo&apos;s app password: log in to this account again.</source>
        <translation>Der Server akzeptiert das App-Passwort von Nubo nicht mehr: Melden Sie sich erneut bei diesem Konto an.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The server&apos;s certificate is not the one Nubo trusts for this account.</source>
        <translation>Das Zertifikat des Servers ist nicht das, dem Nubo für dieses Konto vertraut.</translation>
    </message>
    <message numerus="yes">
        <location filename="../src/gui/folder_runner.cpp" line="+333"/>
        <source>%n item(s) not synced (%1: %2)</source>
        <extracomment>%1 is the first item&apos;s path, %2 why it was not synced</extracomment>
        <translation>
            <numerusform>%n Element nicht synchronisiert (%1: %2)</numerusform>
            <numerusform>%n Elemente nicht synchronisiert (%1: %2)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>%n conflict(s) kept as copies</source>
        <translation>
            <numerusform>%n Konflikt als Kopie behalten</numerusform>
            <numerusform>%n Konflikte als Kopien behalten</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n up</source>
        <comment>items uploaded</comment>
        <translation>
            <numerusform>%n hochgeladen</numerusform>
            <numerusform>%n hochgeladen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n down</source>
        <comment>items downloaded</comment>
        <translation>
            <numerusform>%n heruntergeladen</numerusform>
            <numerusform>%n heruntergeladen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n moved</source>
        <comment>items</comment>
        <translation>
            <numerusform>%n verschoben</numerusform>
            <numerusform>%n verschoben</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n deleted</source>
        <comment>items</comment>
        <translation>
            <numerusform>%n gelöscht</numerusform>
            <numerusform>%n gelöscht</numerusform>
        </translation>
    </message>
    <message>
        <location line="+1"/>
        <source>, </source>
        <comment>between the parts of a sync result</comment>
        <translation>, </translation>
    </message>
    <message>
        <location line="+0"/>
        <source>up to date</source>
        <translation>aktuell</translation>
    </message>
    <message>
        <location filename="../src/gui/remote_folder_tree.cpp" line="+45"/>
        <source>This server does not offer end-to-end encryption.</source>
        <translation>Dieser Server bietet keine Ende-zu-Ende-Verschlüsselung an.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This folder is end-to-end encrypted already.</source>
        <translation>Dieser Ordner ist bereits Ende-zu-Ende-verschlüsselt.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This folder is inside an encrypted folder, so it is encrypted already.</source>
        <translation>Dieser Ordner liegt in einem verschlüsselten Ordner und ist daher bereits verschlüsselt.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Only a folder inside this one can be encrypted.</source>
        <translation>Nur ein Ordner innerhalb dieses Ordners kann verschlüsselt werden.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Set up end-to-end encryption on this computer first (the Encryption tab).</source>
        <translation>Richten Sie zuerst die Ende-zu-Ende-Verschlüsselung auf diesem Computer ein (Reiter „Verschlüsselung“).</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Checking whether the folder is empty…</source>
        <translation>Es wird geprüft, ob der Ordner leer ist…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Only an empty folder can be encrypted: the files in it would stay readable by the server. Move them out, encrypt the folder, and move them back in.</source>
        <translation>Nur ein leerer Ordner kann verschlüsselt werden: Die Dateien darin blieben für den Server lesbar. Verschieben Sie sie heraus, verschlüsseln Sie den Ordner und verschieben Sie sie dann wieder hinein.</translation>
    </message>
    <message>
        <location filename="../src/gui/general_pane.cpp" line="-22"/>
        <source> KiB/s</source>
        <translation> KiB/s</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No limit</source>
        <translation>Keine Begrenzung</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Status</source>
        <translation>Status</translation>
    </message>
</context>
<context>
    <name>Translations</name>
    <message>
        <location filename="../src/gui/translations.cpp" line="+71"/>
        <source>System default</source>
        <translation>Systemstandard</translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message>
        <location filename="../src/gui/tray_state.cpp" line="+42"/>
        <source>up to date</source>
        <translation>aktuell</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>syncing</source>
        <translation>Synchronisation läuft</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>paused</source>
        <translation>pausiert</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>needs your attention</source>
        <translation>benötigt Ihre Aufmerksamkeit</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>offline</source>
        <translation>offline</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Nubo: %1</source>
        <translation>Nubo: %1</translation>
    </message>
</context>
<context>
    <name>nubo::gui::AccountPane</name>
    <message>
        <location filename="../src/gui/account_pane.cpp" line="+12"/>
        <source>Account</source>
        <translation>Konto</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Account problem</source>
        <translation>Kontoproblem</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Log &amp;in again…</source>
        <translation>Erneut an&amp;melden…</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Account details</source>
        <translation>Kontodetails</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Log &amp;out…</source>
        <translation>&amp;Abmelden…</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>No account is set up.</source>
        <translation>Es ist kein Konto eingerichtet.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Server: %1
User: %2
App password kept %3</source>
        <translation>Server: %1
Benutzer: %2
App-Passwort gespeichert %3</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>in a private file</source>
        <translation>in einer privaten Datei</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>in the system keychain</source>
        <translation>im Schlüsselbund des Systems</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Certificate accepted by you, SHA-256 %1</source>
        <translation>Von Ihnen akzeptiertes Zertifikat, SHA-256 %1</translation>
    </message>
</context>
<context>
    <name>nubo::gui::AccountWizard</name>
    <message>
        <location filename="../src/gui/account_wizard.cpp" line="+464"/>
        <source>Connect Nubo to your Nextcloud</source>
        <translation>Nubo mit Ihrer Nextcloud verbinden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Account wizard</source>
        <translation>Konto-Assistent</translation>
    </message>
</context>
<context>
    <name>nubo::gui::ActivityPane</name>
    <message>
        <location filename="../src/gui/activity_pane.cpp" line="+40"/>
        <source>Activity</source>
        <translation>Aktivität</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Show:</source>
        <translation>&amp;Anzeigen:</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Show the activity of</source>
        <translation>Aktivität anzeigen von</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All folders</source>
        <translation>Alle Ordner</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Recent activity</source>
        <translation>Letzte Aktivitäten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Folder</source>
        <translation>Ordner</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Item</source>
        <translation>Element</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>What</source>
        <translation>Vorgang</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Open the containing folder</source>
        <translation>Übergeordneten Ordner &amp;öffnen</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>%1: %2</source>
        <extracomment>What happened to a file, then the details</extracomment>
        <translation>%1: %2</translation>
    </message>
</context>
<context>
    <name>nubo::gui::AddFolderDialog</name>
    <message>
        <location filename="../src/gui/add_folder_dialog.cpp" line="+25"/>
        <location line="+1"/>
        <source>Add a folder to sync</source>
        <translation>Ordner zur Synchronisation hinzufügen</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Local folder</source>
        <translation>Lokaler Ordner</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Choose…</source>
        <translation>&amp;Auswählen…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Local folder:</source>
        <translation>&amp;Lokaler Ordner:</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Server folder:</source>
        <translation>&amp;Server-Ordner:</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Your files (all of them)</source>
        <translation>Ihre Dateien (alle)</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>&amp;Sync this folder</source>
        <translation>Diesen Ordner s&amp;ynchronisieren</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Local folder to sync</source>
        <translation>Zu synchronisierender lokaler Ordner</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>Choose the server folder to sync.</source>
        <translation>Wählen Sie den zu synchronisierenden Server-Ordner.</translation>
    </message>
</context>
<context>
    <name>nubo::gui::AppController</name>
    <message>
        <location filename="../src/gui/app_controller.cpp" line="+31"/>
        <source>&amp;Folders</source>
        <translation>&amp;Ordner</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A&amp;ccount</source>
        <translation>&amp;Konto</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Ac&amp;tivity</source>
        <translation>Ak&amp;tivität</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Stop syncing this folder?</source>
        <translation>Synchronisation dieses Ordners beenden?</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Nubo stops syncing %1. Its files stay on this computer and on the server.</source>
        <translation>Nubo beendet die Synchronisation von %1. Die Dateien bleiben auf diesem Computer und auf dem Server.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>&amp;General</source>
        <translation>&amp;Allgemein</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Log out of %1?</source>
        <translation>Von %1 abmelden?</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Nubo stops syncing and forgets this account on this computer: its app password is revoked on the server and removed here. Your files stay on this computer and on the server, and the end-to-end encryption key stays on this device (the Encryption pane can remove it).</source>
        <translation>Nubo beendet die Synchronisation und vergisst dieses Konto auf diesem Computer: Sein App-Passwort wird auf dem Server widerrufen und hier entfernt. Ihre Dateien bleiben auf diesem Computer und auf dem Server, und der Schlüssel für die Ende-zu-Ende-Verschlüsselung bleibt auf diesem Gerät (im Bereich „Verschlüsselung“ können Sie ihn entfernen).</translation>
    </message>
    <message>
        <location line="+59"/>
        <source>Nubo cannot keep or read the proxy password: %1. The proxy was not changed.</source>
        <translation>Nubo kann das Proxy-Passwort nicht speichern oder lesen: %1. Der Proxy wurde nicht geändert.</translation>
    </message>
    <message>
        <location line="+82"/>
        <source>Nubo cannot read its app password from %1: %2
Unlock the keychain and restart Nubo, or log in again (you may then keep the password in a private file instead).</source>
        <translation>Nubo kann sein App-Passwort nicht aus %1 lesen: %2
Entsperren Sie den Schlüsselbund und starten Sie Nubo neu, oder melden Sie sich erneut an (Sie können das Passwort dann stattdessen in einer privaten Datei speichern).</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>its private file</source>
        <translation>seiner privaten Datei</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>the system keychain</source>
        <translation>dem Schlüsselbund des Systems</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Nubo&apos;s app password is not stored on this computer any more: log in again.</source>
        <translation>Das App-Passwort von Nubo ist nicht mehr auf diesem Computer gespeichert: Melden Sie sich erneut an.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>&amp;Encryption</source>
        <translation>&amp;Verschlüsselung</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The server no longer accepts Nubo&apos;s app password (it may have been revoked in the web interface). Log in again to go on syncing; nothing was changed.</source>
        <translation>Der Server akzeptiert das App-Passwort von Nubo nicht mehr (es wurde möglicherweise in der Weboberfläche widerrufen). Melden Sie sich erneut an, um die Synchronisation fortzusetzen; es wurde nichts geändert.</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>The server refused Nubo&apos;s app password (%1). It may have been revoked in the web interface. Log in again to go on syncing; nothing was changed.</source>
        <translation>Der Server hat das App-Passwort von Nubo abgelehnt (%1). Es wurde möglicherweise in der Weboberfläche widerrufen. Melden Sie sich erneut an, um die Synchronisation fortzusetzen; es wurde nichts geändert.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Nubo needs you to log in again</source>
        <translation>Nubo benötigt eine erneute Anmeldung</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Encrypted folders are not synced</source>
        <translation>Verschlüsselte Ordner werden nicht synchronisiert</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Conflict in %1</source>
        <translation>Konflikt in %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 was changed here and on the server. Both versions are kept: yours as %2.</source>
        <translation>%1 wurde hier und auf dem Server geändert. Beide Versionen werden behalten: Ihre als %2.</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Nubo is waiting for your answer</source>
        <translation>Nubo wartet auf Ihre Antwort</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n file(s) in %1 were deleted. Delete them everywhere, or restore them?</source>
        <translation>
            <numerusform>%n Datei in %1 wurde gelöscht. Überall löschen oder wiederherstellen?</numerusform>
            <numerusform>%n Dateien in %1 wurden gelöscht. Überall löschen oder wiederherstellen?</numerusform>
        </translation>
    </message>
    <message>
        <location line="+48"/>
        <source>Not logged in</source>
        <translation>Nicht angemeldet</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>Not connected</source>
        <translation>Nicht verbunden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Nubo is not connected to the server yet, so its folders cannot be listed. Try again in a moment.</source>
        <translation>Nubo ist noch nicht mit dem Server verbunden, daher können seine Ordner nicht aufgelistet werden. Versuchen Sie es gleich noch einmal.</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Choose what to sync in %1</source>
        <translation>Auswählen, was in %1 synchronisiert wird</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Untick the folders this computer should leave out. Right-click an empty folder to encrypt it.</source>
        <translation>Entfernen Sie das Häkchen bei den Ordnern, die dieser Computer auslassen soll. Klicken Sie mit der rechten Maustaste auf einen leeren Ordner, um ihn zu verschlüsseln.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>%1 on the server</source>
        <translation>%1 auf dem Server</translation>
    </message>
</context>
<context>
    <name>nubo::gui::EncryptionPane</name>
    <message>
        <location filename="../src/gui/encryption_pane.cpp" line="+74"/>
        <source>End-to-end encryption</source>
        <translation>Ende-zu-Ende-Verschlüsselung</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Warning: the server&apos;s encryption keys changed</source>
        <translation>Warnung: Die Verschlüsselungsschlüssel des Servers haben sich geändert</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Nubo stopped syncing your encrypted folders</source>
        <translation>Nubo hat die Synchronisation Ihrer verschlüsselten Ordner angehalten</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The server now shows a different encryption key or certificate for this account than the one this device saw first. Someone may be trying to read your encrypted files: whoever controls the server, or broke into it, can swap keys to have your files encrypted to a key of theirs. So Nubo stopped syncing the encrypted folders of this account; nothing is encrypted to the new key, and your files on this computer stay as they are. Your other folders keep syncing.

What to do: ask your server&apos;s administrator whether the end-to-end encryption keys were reset or the server was moved, and do not trust the change until they confirm it. Nubo cannot accept a changed key here: once you are sure the change is legitimate, remove the key from this device and add it again with your 12 words.</source>
        <translation>Der Server zeigt für dieses Konto jetzt einen anderen Verschlüsselungsschlüssel oder ein anderes Zertifikat als das, das dieses Gerät zuerst gesehen hat. Möglicherweise versucht jemand, Ihre verschlüsselten Dateien zu lesen: Wer den Server kontrolliert oder in ihn eingedrungen ist, kann Schlüssel austauschen, damit Ihre Dateien für einen eigenen Schlüssel verschlüsselt werden. Deshalb hat Nubo die Synchronisation der verschlüsselten Ordner dieses Kontos angehalten; nichts wird für den neuen Schlüssel verschlüsselt, und Ihre Dateien auf diesem Computer bleiben, wie sie sind. Ihre anderen Ordner werden weiter synchronisiert.

Was zu tun ist: Fragen Sie die Administration Ihres Servers, ob die Schlüssel für die Ende-zu-Ende-Verschlüsselung zurückgesetzt wurden oder der Server umgezogen ist, und vertrauen Sie der Änderung erst, wenn dies bestätigt wurde. Nubo kann einen geänderten Schlüssel hier nicht akzeptieren: Sobald Sie sicher sind, dass die Änderung rechtmäßig ist, entfernen Sie den Schlüssel von diesem Gerät und fügen Sie ihn mit Ihren 12 Wörtern erneut hinzu.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Details</source>
        <translation>Details</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>&amp;Try again</source>
        <translation>&amp;Erneut versuchen</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>End-to-end encryption keeps the folders you choose readable on your devices only: the server stores them encrypted and cannot read them. Setting it up makes your personal key and 12 words that unlock it on your other devices.</source>
        <translation>Mit der Ende-zu-Ende-Verschlüsselung sind die Ordner, die Sie auswählen, nur auf Ihren Geräten lesbar: Der Server speichert sie verschlüsselt und kann sie nicht lesen. Bei der Einrichtung entstehen Ihr persönlicher Schlüssel und 12 Wörter, die ihn auf Ihren anderen Geräten entsperren.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Set up end-to-end encryption</source>
        <translation>Ende-zu-Ende-Verschlüsselung &amp;einrichten</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>These are your 12 words. With them you add your other devices, and they are the only way back to your encrypted files if this computer is lost: nobody else has them, not even the server&apos;s administrator. Anyone who has them and can log in to your account can read your encrypted files.

Write them down on paper now, in this order, and keep the paper somewhere safe. Nubo shows them again only after you log in again (&quot;Show the 12 words&quot;).</source>
        <translation>Dies sind Ihre 12 Wörter. Mit ihnen fügen Sie Ihre anderen Geräte hinzu, und sie sind der einzige Weg zurück zu Ihren verschlüsselten Dateien, falls dieser Computer verloren geht: Niemand sonst hat sie, nicht einmal die Administration des Servers. Wer sie hat und sich bei Ihrem Konto anmelden kann, kann Ihre verschlüsselten Dateien lesen.

Schreiben Sie sie jetzt in dieser Reihenfolge auf Papier und bewahren Sie das Papier an einem sicheren Ort auf. Nubo zeigt sie erst nach einer erneuten Anmeldung wieder an („Die 12 Wörter anzeigen“).</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>About your 12 words</source>
        <translation>Hinweis zu Ihren 12 Wörtern</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>I have &amp;written them down</source>
        <translation>Ich habe sie &amp;aufgeschrieben</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Show the words &amp;again</source>
        <translation>Wörter &amp;erneut anzeigen</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Your account already has an end-to-end encryption key, made on another device. Type the 12 words that were shown then, in their order, to use it on this device too.</source>
        <translation>Ihr Konto hat bereits einen Schlüssel für die Ende-zu-Ende-Verschlüsselung, der auf einem anderen Gerät erstellt wurde. Geben Sie die 12 Wörter, die damals angezeigt wurden, in ihrer Reihenfolge ein, um ihn auch auf diesem Gerät zu verwenden.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&amp;Add this device</source>
        <translation>Dieses Gerät &amp;hinzufügen</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>End-to-end encryption is set up on this device. Your other devices show the same fingerprints; compare them if in doubt.</source>
        <translation>Die Ende-zu-Ende-Verschlüsselung ist auf diesem Gerät eingerichtet. Ihre anderen Geräte zeigen dieselben Fingerabdrücke; vergleichen Sie sie im Zweifelsfall.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Your key&apos;s fingerprint</source>
        <translation>Fingerabdruck Ihres Schlüssels</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Where the key is kept</source>
        <translation>Wo der Schlüssel gespeichert ist</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The server key&apos;s fingerprint</source>
        <translation>Fingerabdruck des Server-Schlüssels</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Your key (SHA-256):</source>
        <translation>Ihr Schlüssel (SHA-256):</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Kept in:</source>
        <translation>Gespeichert in:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Server key (SHA-256):</source>
        <translation>Server-Schlüssel (SHA-256):</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Show the &amp;12 words</source>
        <translation>Die &amp;12 Wörter anzeigen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Remove the key from this device</source>
        <translation>Schlüssel von diesem Gerät &amp;entfernen</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>&amp;Hide the words</source>
        <translation>Wörter &amp;verbergen</translation>
    </message>
    <message>
        <location line="+106"/>
        <source>What Nubo found: %1</source>
        <translation>Was Nubo festgestellt hat: %1</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Checking end-to-end encryption on %1…</source>
        <translation>Ende-zu-Ende-Verschlüsselung auf %1 wird geprüft…</translation>
    </message>
    <message>
        <location line="+80"/>
        <source>End-to-end encryption is not available on %1: the server does not offer it (its administrator has not enabled the End-to-end encryption app). Your files are synced over an encrypted connection, but the server can read them.</source>
        <translation>Die Ende-zu-Ende-Verschlüsselung ist auf %1 nicht verfügbar: Der Server bietet sie nicht an (die Administration hat die App „Ende-zu-Ende-Verschlüsselung“ nicht aktiviert). Ihre Dateien werden über eine verschlüsselte Verbindung synchronisiert, aber der Server kann sie lesen.</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Making your key and having the server certify it…</source>
        <translation>Ihr Schlüssel wird erstellt und vom Server zertifiziert…</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Nubo could not keep the words in %1 (%2), so it cannot show them again later: write them down now.</source>
        <translation>Nubo konnte die Wörter nicht in %1 speichern (%2) und kann sie deshalb später nicht erneut anzeigen: Schreiben Sie sie jetzt auf.</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Opening your key with the 12 words…</source>
        <translation>Ihr Schlüssel wird mit den 12 Wörtern geöffnet…</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>These 12 words do not open your key: check each word and its order; the words are the ones shown when encryption was set up on your first device.</source>
        <translation>Diese 12 Wörter öffnen Ihren Schlüssel nicht: Prüfen Sie jedes Wort und die Reihenfolge; es sind die Wörter, die bei der Einrichtung der Verschlüsselung auf Ihrem ersten Gerät angezeigt wurden.</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>This device is set up, but Nubo could not keep the 12 words in %1 (%2), so &quot;Show the 12 words&quot; cannot show them.</source>
        <translation>Dieses Gerät ist eingerichtet, aber Nubo konnte die 12 Wörter nicht in %1 speichern (%2), daher kann „Die 12 Wörter anzeigen“ sie nicht anzeigen.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Remove the key from this device?</source>
        <translation>Schlüssel von diesem Gerät entfernen?</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove the end-to-end encryption key of %1 from this device?</source>
        <translation>Den Schlüssel für die Ende-zu-Ende-Verschlüsselung von %1 von diesem Gerät entfernen?</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The encrypted folders stop syncing on this device until you add it again with your 12 words. The key stays on the server, and your other devices keep working. Make sure you have the 12 words before you remove it.</source>
        <translation>Die verschlüsselten Ordner werden auf diesem Gerät nicht mehr synchronisiert, bis Sie es mit Ihren 12 Wörtern erneut hinzufügen. Der Schlüssel bleibt auf dem Server, und Ihre anderen Geräte funktionieren weiter. Stellen Sie sicher, dass Sie die 12 Wörter haben, bevor Sie ihn entfernen.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Remove the key</source>
        <translation>Schlüssel &amp;entfernen</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Removing the key from %1…</source>
        <translation>Schlüssel wird von %1 entfernt…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The key could not be removed from %1: %2</source>
        <translation>Der Schlüssel konnte nicht von %1 entfernt werden: %2</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Show the 12 words</source>
        <translation>Die 12 Wörter anzeigen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>To see your 12 words, type the password of %1 on %2 (your Nextcloud password, or an app password). Nubo checks it with the server.</source>
        <translation>Um Ihre 12 Wörter zu sehen, geben Sie das Passwort von %1 auf %2 ein (Ihr Nextcloud-Passwort oder ein App-Passwort). Nubo prüft es beim Server.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Password</source>
        <translation>Passwort</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Password:</source>
        <translation>&amp;Passwort:</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Show the words</source>
        <translation>Wörter &amp;anzeigen</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Type your password.</source>
        <translation>Geben Sie Ihr Passwort ein.</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>The server refused this password. Type the password you log in to Nextcloud with, or an app password of this account.</source>
        <translation>Der Server hat dieses Passwort abgelehnt. Geben Sie das Passwort ein, mit dem Sie sich bei Nextcloud anmelden, oder ein App-Passwort dieses Kontos.</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Reading the 12 words from %1…</source>
        <translation>Die 12 Wörter werden aus %1 gelesen…</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>The 12 words could not be read from %1: %2</source>
        <translation>Die 12 Wörter konnten nicht aus %1 gelesen werden: %2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>This device does not keep the 12 words: it was set up before Nubo kept them, or with nubocmd. Use the paper you wrote them on.</source>
        <translation>Dieses Gerät speichert die 12 Wörter nicht: Es wurde eingerichtet, bevor Nubo sie gespeichert hat, oder mit nubocmd. Verwenden Sie das Papier, auf dem Sie sie notiert haben.</translation>
    </message>
    <message numerus="yes">
        <location line="+9"/>
        <source>The words hide again after %n second(s), or when this window is left.</source>
        <translation>
            <numerusform>Die Wörter werden nach %n Sekunde wieder verborgen, oder wenn Sie dieses Fenster verlassen.</numerusform>
            <numerusform>Die Wörter werden nach %n Sekunden wieder verborgen, oder wenn Sie dieses Fenster verlassen.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>nubo::gui::FolderRow</name>
    <message>
        <location filename="../src/gui/folders_pane.cpp" line="+34"/>
        <source>Folder %1</source>
        <translation>Ordner %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 ⇄ %2 on the server</source>
        <translation>%1 ⇄ %2 auf dem Server</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Waiting for the first sync</source>
        <translation>Warten auf die erste Synchronisation</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Status of %1</source>
        <translation>Status von %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>File in transfer</source>
        <translation>Datei in Übertragung</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Progress of %1</source>
        <translation>Fortschritt von %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Sync &amp;now</source>
        <translation>Jetzt &amp;synchronisieren</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Open</source>
        <translation>&amp;Öffnen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Choose &amp;what to sync…</source>
        <translation>&amp;Auswählen, was synchronisiert wird…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Remove…</source>
        <translation>&amp;Entfernen…</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Looking for changes…</source>
        <translation>Suche nach Änderungen…</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Syncing: %1 of %2 items, %3 of %4</source>
        <translation>Synchronisation: %1 von %2 Elementen, %3 von %4</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Syncing: %1 of %2 items</source>
        <translation>Synchronisation: %1 von %2 Elementen</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>&amp;Resume</source>
        <translation>&amp;Fortsetzen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;Pause</source>
        <translation>&amp;Pausieren</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Paused</source>
        <translation>Pausiert</translation>
    </message>
</context>
<context>
    <name>nubo::gui::FolderRunner</name>
    <message numerus="yes">
        <location filename="../src/gui/folder_runner.cpp" line="-245"/>
        <source>waiting for your answer: %n item(s) deleted on the server</source>
        <translation>
            <numerusform>wartet auf Ihre Antwort: %n Element auf dem Server gelöscht</numerusform>
            <numerusform>wartet auf Ihre Antwort: %n Elemente auf dem Server gelöscht</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>waiting for your answer: %n item(s) deleted on this computer</source>
        <translation>
            <numerusform>wartet auf Ihre Antwort: %n Element auf diesem Computer gelöscht</numerusform>
            <numerusform>wartet auf Ihre Antwort: %n Elemente auf diesem Computer gelöscht</numerusform>
        </translation>
    </message>
    <message>
        <location line="+90"/>
        <source>Locked by another client</source>
        <translation>Von einem anderen Client gesperrt</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>paused</source>
        <translation>pausiert</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>stopped</source>
        <translation>angehalten</translation>
    </message>
    <message>
        <location line="+78"/>
        <location line="+11"/>
        <source>Not synced</source>
        <translation>Nicht synchronisiert</translation>
    </message>
    <message>
        <location line="-9"/>
        <source>Uploaded</source>
        <translation>Hochgeladen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Downloaded</source>
        <translation>Heruntergeladen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Folder made on the server</source>
        <translation>Ordner auf dem Server angelegt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Folder made here</source>
        <translation>Ordner hier angelegt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Moved on the server</source>
        <translation>Auf dem Server verschoben</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Moved here</source>
        <translation>Hier verschoben</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deleted on the server</source>
        <translation>Auf dem Server gelöscht</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deleted here</source>
        <translation>Hier gelöscht</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Conflict, both versions kept</source>
        <translation>Konflikt, beide Versionen behalten</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>since moments ago</source>
        <translation>seit wenigen Augenblicken</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>for %n minute(s)</source>
        <translation>
            <numerusform>seit %n Minute</numerusform>
            <numerusform>seit %n Minuten</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>for %n hour(s)</source>
        <translation>
            <numerusform>seit %n Stunde</numerusform>
            <numerusform>seit %n Stunden</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Another client (another of your devices, or someone the folder is shared with) holds the lock of this encrypted folder while it changes it: found locked %1 (first at %2). Nubo changes nothing in it until the lock is released: your files here stay as they are and go up at the first sync after that. Nubo tries again by itself, waiting a little longer each time; the rest of the folder syncs as usual. A lock that stays for hours was left by a client that stopped half-way; it is released when that client syncs again.</source>
        <extracomment>%1: &quot;for 12 minutes&quot; or &quot;since moments ago&quot;; %2: the time it was first found locked</extracomment>
        <translation>Ein anderer Client (eines Ihrer anderen Geräte oder jemand, mit dem der Ordner geteilt ist) hält die Sperre dieses verschlüsselten Ordners, während er ihn ändert: %1 gesperrt vorgefunden (zuerst um %2). Nubo ändert nichts darin, bis die Sperre aufgehoben ist: Ihre Dateien hier bleiben, wie sie sind, und werden bei der ersten Synchronisation danach hochgeladen. Nubo versucht es von selbst erneut und wartet dabei jedes Mal etwas länger; der Rest des Ordners wird wie gewohnt synchronisiert. Eine Sperre, die stundenlang bestehen bleibt, stammt von einem Client, der mittendrin abgebrochen ist; sie wird aufgehoben, sobald dieser Client wieder synchronisiert.</translation>
    </message>
</context>
<context>
    <name>nubo::gui::FoldersPane</name>
    <message>
        <location filename="../src/gui/folders_pane.cpp" line="+20"/>
        <source>Synced folders</source>
        <translation>Synchronisierte Ordner</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>No folder is synced yet. Add one to start.</source>
        <translation>Es wird noch kein Ordner synchronisiert. Fügen Sie einen hinzu, um zu beginnen.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&amp;Add a folder…</source>
        <translation>Ordner &amp;hinzufügen…</translation>
    </message>
</context>
<context>
    <name>nubo::gui::GeneralPane</name>
    <message>
        <location filename="../src/gui/general_pane.cpp" line="+9"/>
        <source>General settings</source>
        <translation>Allgemeine Einstellungen</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Start</source>
        <translation>Start</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Start Nubo when I log in</source>
        <translation>Nubo bei der Anmeldung s&amp;tarten</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>&amp;Language:</source>
        <translation>&amp;Sprache:</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The language changes when Nubo starts again.</source>
        <translation>Die Sprache ändert sich beim nächsten Start von Nubo.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Bandwidth</source>
        <translation>Bandbreite</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Upload limit</source>
        <translation>Upload-Limit</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Download limit</source>
        <translation>Download-Limit</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Upload limit:</source>
        <translation>&amp;Upload-Limit:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Download limit:</source>
        <translation>&amp;Download-Limit:</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>For all folders together; a change applies to transfers under way.</source>
        <translation>Für alle Ordner zusammen; eine Änderung gilt auch für laufende Übertragungen.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Files to leave out</source>
        <translation>Auszuschließende Dateien</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>One pattern per line, as in Nextcloud&apos;s sync-exclude.lst: *.tmp, build/ (a folder), /notes.txt (only at the top). Files that match are neither uploaded nor downloaded, and never deleted because of it. Nubo&apos;s own patterns (temporary files of editors and of the system) always apply.</source>
        <translation>Ein Muster pro Zeile, wie in der sync-exclude.lst von Nextcloud: *.tmp, build/ (ein Ordner), /notes.txt (nur auf oberster Ebene). Passende Dateien werden weder hoch- noch heruntergeladen und deswegen auch nie gelöscht. Die eigenen Muster von Nubo (temporäre Dateien von Editoren und vom System) gelten immer.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Patterns of files to leave out</source>
        <translation>Muster der auszuschließenden Dateien</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Sa&amp;ve patterns</source>
        <translation>Muster spei&amp;chern</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Nubo cannot write %1 (%2); the folders go on with the patterns they had.</source>
        <translation>Nubo kann %1 nicht schreiben (%2); die Ordner arbeiten mit den bisherigen Mustern weiter.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Saved. The folders sync with these patterns from now on.</source>
        <translation>Gespeichert. Die Ordner werden ab jetzt mit diesen Mustern synchronisiert.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Network proxy</source>
        <translation>Netzwerk-Proxy</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Use the s&amp;ystem&apos;s proxy settings</source>
        <translation>Proxy-Einstellungen des S&amp;ystems verwenden</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;No proxy</source>
        <translation>&amp;Kein Proxy</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Use &amp;this proxy:</source>
        <translation>Diesen Pro&amp;xy verwenden:</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>HTTP</source>
        <translation>HTTP</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>SOCKS5</source>
        <translation>SOCKS5</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>SOCKS5, names resolved by the proxy</source>
        <translation>SOCKS5, Namensauflösung durch den Proxy</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>proxy.example.org</source>
        <translation>proxy.example.org</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>(port)</source>
        <translation>(Port)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The proxy needs a &amp;login</source>
        <translation>Der Proxy erfordert eine A&amp;nmeldung</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>(unchanged)</source>
        <translation>(unverändert)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>T&amp;ype:</source>
        <translation>&amp;Typ:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Host:</source>
        <translation>&amp;Host:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Port:</source>
        <translation>&amp;Port:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>U&amp;ser:</source>
        <translation>&amp;Benutzer:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pass&amp;word:</source>
        <translation>Pass&amp;wort:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Apply proxy settings</source>
        <translation>Proxy-Einstellungen &amp;übernehmen</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>Enter the proxy&apos;s host name or address, such as proxy.example.org, without http:// or a port.</source>
        <translation>Geben Sie den Hostnamen oder die Adresse des Proxys ein, etwa proxy.example.org, ohne http:// und ohne Port.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Enter the proxy&apos;s port, such as 3128 for HTTP or 1080 for SOCKS5.</source>
        <translation>Geben Sie den Port des Proxys ein, etwa 3128 für HTTP oder 1080 für SOCKS5.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Enter the user name the proxy expects, or untick &quot;The proxy needs a login&quot;.</source>
        <translation>Geben Sie den Benutzernamen ein, den der Proxy erwartet, oder entfernen Sie das Häkchen bei „Der Proxy erfordert eine Anmeldung“.</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Applied: Nubo now connects through %1.</source>
        <translation>Übernommen: Nubo verbindet sich jetzt über %1.</translation>
    </message>
</context>
<context>
    <name>nubo::gui::LoginPage</name>
    <message>
        <location filename="../src/gui/account_wizard.cpp" line="-295"/>
        <source>Log in</source>
        <translation>Anmelden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Log in in your browser and grant Nubo access. Nubo gets its own app password; your password stays with the server.</source>
        <translation>Melden Sie sich in Ihrem Browser an und gewähren Sie Nubo Zugriff. Nubo erhält ein eigenes App-Passwort; Ihr Passwort bleibt auf dem Server.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Login status</source>
        <translation>Anmeldestatus</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Open the browser</source>
        <translation>Browser &amp;öffnen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Copy the link</source>
        <translation>Link &amp;kopieren</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Keep the app password in a private &amp;file</source>
        <translation>App-Passwort in einer privaten &amp;Datei speichern</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Use an &amp;app password instead</source>
        <translation>Stattdessen ein &amp;App-Passwort verwenden</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>App password (made in the web interface under Settings → Security)</source>
        <translation>App-Passwort (erstellt in der Weboberfläche unter Einstellungen → Sicherheit)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>User name</source>
        <translation>Benutzername</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>App password</source>
        <translation>App-Passwort</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Log in</source>
        <translation>A&amp;nmelden</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;User name:</source>
        <translation>&amp;Benutzername:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>App &amp;password:</source>
        <translation>App-&amp;Passwort:</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>No browser could be opened. Copy the link and open it in a browser yourself.</source>
        <translation>Es konnte kein Browser geöffnet werden. Kopieren Sie den Link und öffnen Sie ihn selbst in einem Browser.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The link is on the clipboard: open it in a browser, log in and grant access. Nubo is waiting.</source>
        <translation>Der Link ist in der Zwischenablage: Öffnen Sie ihn in einem Browser, melden Sie sich an und gewähren Sie Zugriff. Nubo wartet.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Type your user name and an app password.</source>
        <translation>Geben Sie Ihren Benutzernamen und ein App-Passwort ein.</translation>
    </message>
    <message>
        <location line="+57"/>
        <source>Starting the login at %1…</source>
        <translation>Anmeldung bei %1 wird gestartet…</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>The browser login cannot be used with this server.</source>
        <translation>Die Anmeldung über den Browser ist mit diesem Server nicht möglich.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>You can use an app password instead.</source>
        <translation>Sie können stattdessen ein App-Passwort verwenden.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Your browser shows the login page: log in there and grant access. Nubo is waiting and goes on by itself.</source>
        <translation>Ihr Browser zeigt die Anmeldeseite: Melden Sie sich dort an und gewähren Sie Zugriff. Nubo wartet und macht dann von selbst weiter.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No browser could be opened. Copy the link, open it in a browser, log in and grant access; Nubo is waiting.</source>
        <translation>Es konnte kein Browser geöffnet werden. Kopieren Sie den Link, öffnen Sie ihn in einem Browser, melden Sie sich an und gewähren Sie Zugriff; Nubo wartet.</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Still waiting for the login (the server did not answer the last check: %1).</source>
        <translation>Es wird weiter auf die Anmeldung gewartet (der Server hat auf die letzte Abfrage nicht geantwortet: %1).</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Checking the app password…</source>
        <translation>App-Passwort wird geprüft…</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>The server did not accept the app password it just gave out. Go back and log in again.</source>
        <translation>Der Server hat das App-Passwort, das er gerade ausgestellt hat, nicht akzeptiert. Gehen Sie zurück und melden Sie sich erneut an.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The server refused this user name and app password. Check them, or make a new app password in the web interface.</source>
        <translation>Der Server hat diesen Benutzernamen und dieses App-Passwort abgelehnt. Prüfen Sie beides, oder erstellen Sie in der Weboberfläche ein neues App-Passwort.</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Storing the app password in a private file…</source>
        <translation>App-Passwort wird in einer privaten Datei gespeichert…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Storing the app password in the system keychain…</source>
        <translation>App-Passwort wird im Schlüsselbund des Systems gespeichert…</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>The app password could not be stored: %1</source>
        <translation>Das App-Passwort konnte nicht gespeichert werden: %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The system keychain could not store the app password: %1
Unlock or install a keychain (such as GNOME Keyring or KWallet) and go back and forth to try again, or let Nubo keep it in a private file that only you can read (%2).</source>
        <translation>Der Schlüsselbund des Systems konnte das App-Passwort nicht speichern: %1
Entsperren oder installieren Sie einen Schlüsselbund (etwa GNOME Keyring oder KWallet) und gehen Sie zurück und wieder vor, um es erneut zu versuchen, oder lassen Sie Nubo es in einer privaten Datei speichern, die nur Sie lesen können (%2).</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Logged in as %1 on %2. The app password is kept %3.</source>
        <translation>Angemeldet als %1 auf %2. Das App-Passwort wird %3 gespeichert.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>in a private file</source>
        <translation>in einer privaten Datei</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>in the system keychain</source>
        <translation>im Schlüsselbund des Systems</translation>
    </message>
</context>
<context>
    <name>nubo::gui::MassDeleteDialog</name>
    <message>
        <location filename="../src/gui/mass_delete_dialog.cpp" line="+28"/>
        <source>Deleted items in “%1”</source>
        <translation>Gelöschte Elemente in „%1“</translation>
    </message>
    <message numerus="yes">
        <location line="+5"/>
        <source>%n item(s) in “%1” were deleted on the server.</source>
        <translation>
            <numerusform>%n Element in „%1“ wurde auf dem Server gelöscht.</numerusform>
            <numerusform>%n Elemente in „%1“ wurden auf dem Server gelöscht.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n item(s) in “%1” were deleted on this computer.</source>
        <translation>
            <numerusform>%n Element in „%1“ wurde auf diesem Computer gelöscht.</numerusform>
            <numerusform>%n Elemente in „%1“ wurden auf diesem Computer gelöscht.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Delete them on this computer too, or restore them on the server from the copies here?</source>
        <translation>Auch auf diesem Computer löschen, oder auf dem Server aus den Kopien hier wiederherstellen?</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Delete them on the server too, or restore them here from the server?</source>
        <translation>Auch auf dem Server löschen, oder hier vom Server wiederherstellen?</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Nothing changes in this folder until you answer.</source>
        <translation>In diesem Ordner ändert sich nichts, bis Sie antworten.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Question</source>
        <translation>Frage</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Items:</source>
        <translation>&amp;Elemente:</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Deleted items</source>
        <translation>Gelöschte Elemente</translation>
    </message>
    <message numerus="yes">
        <location line="+9"/>
        <source>… and %n more</source>
        <translation>
            <numerusform>… und %n weiteres</numerusform>
            <numerusform>… und %n weitere</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Delete them here too</source>
        <translation>Auch hier &amp;löschen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;Delete them on the server too</source>
        <translation>Auch auf dem Server &amp;löschen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Delete them on this computer too</source>
        <translation>Auch auf diesem Computer löschen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete them on the server too</source>
        <translation>Auch auf dem Server löschen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Restore them</source>
        <translation>&amp;Wiederherstellen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Restore them on the server</source>
        <translation>Auf dem Server wiederherstellen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Restore them here</source>
        <translation>Hier wiederherstellen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Decide &amp;later</source>
        <translation>&amp;Später entscheiden</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Decide later</source>
        <translation>Später entscheiden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Nothing changes until you answer</source>
        <translation>Bis zu Ihrer Antwort ändert sich nichts</translation>
    </message>
</context>
<context>
    <name>nubo::gui::MnemonicConfirmation</name>
    <message>
        <location filename="../src/gui/mnemonic_widgets.cpp" line="+235"/>
        <source>To check that you wrote the words down, type two of them from your paper.</source>
        <translation>Geben Sie zwei der Wörter von Ihrem Papier ein, um zu prüfen, dass Sie sie aufgeschrieben haben.</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>C&amp;heck</source>
        <translation>&amp;Prüfen</translation>
    </message>
    <message>
        <location line="+52"/>
        <source>Word &amp;%1:</source>
        <translation>Wort &amp;%1:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Word %1:</source>
        <translation>Wort %1:</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>Word %1</source>
        <translation>Wort %1</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Words %1 and %2 are not the ones shown.</source>
        <translation>Die Wörter %1 und %2 sind nicht die angezeigten.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Word %1 is not the one shown.</source>
        <translation>Wort %1 ist nicht das angezeigte.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Compare what you wrote down with the words, in their order; go back to the words if a word is missing or hard to read.</source>
        <translation>Vergleichen Sie Ihre Notizen mit den Wörtern in ihrer Reihenfolge; gehen Sie zu den Wörtern zurück, wenn ein Wort fehlt oder schwer zu lesen ist.</translation>
    </message>
</context>
<context>
    <name>nubo::gui::MnemonicEntry</name>
    <message>
        <location line="+28"/>
        <source>Word %1</source>
        <translation>Wort %1</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Suggestions for word %1</source>
        <translation>Vorschläge für Wort %1</translation>
    </message>
    <message>
        <location line="+94"/>
        <source>This is not one of the words Nubo uses.</source>
        <translation>Dies ist keines der Wörter, die Nubo verwendet.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not in the word list.</source>
        <translation>Nicht in der Wortliste.</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+4"/>
        <source>Did you mean %1?</source>
        <translation>Meinten Sie %1?</translation>
    </message>
    <message>
        <location line="-4"/>
        <location line="+4"/>
        <source>, </source>
        <translation>, </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Check its spelling on your paper.</source>
        <translation>Prüfen Sie die Schreibweise auf Ihrem Papier.</translation>
    </message>
</context>
<context>
    <name>nubo::gui::MnemonicGrid</name>
    <message>
        <location line="-349"/>
        <source>Your 12 words</source>
        <translation>Ihre 12 Wörter</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>&amp;Copy</source>
        <translation>&amp;Kopieren</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Copies the 12 words, for a password manager; they are taken off the clipboard again after a minute</source>
        <translation>Kopiert die 12 Wörter für einen Passwort-Manager; sie werden nach einer Minute wieder aus der Zwischenablage entfernt</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Word %1: %2</source>
        <translation>Wort %1: %2</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Word %1: hidden</source>
        <translation>Wort %1: verborgen</translation>
    </message>
    <message numerus="yes">
        <location line="+12"/>
        <source>The words are on the clipboard; Nubo takes them off again in %n second(s). Paste them only into a password manager you trust.</source>
        <translation>
            <numerusform>Die Wörter sind in der Zwischenablage; Nubo entfernt sie in %n Sekunde wieder. Fügen Sie sie nur in einen Passwort-Manager ein, dem Sie vertrauen.</numerusform>
            <numerusform>Die Wörter sind in der Zwischenablage; Nubo entfernt sie in %n Sekunden wieder. Fügen Sie sie nur in einen Passwort-Manager ein, dem Sie vertrauen.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+14"/>
        <source>The words were taken off the clipboard.</source>
        <translation>Die Wörter wurden aus der Zwischenablage entfernt.</translation>
    </message>
</context>
<context>
    <name>nubo::gui::RemoteFolderTree</name>
    <message>
        <location filename="../src/gui/remote_folder_tree.cpp" line="-20"/>
        <source>End-to-end encrypted</source>
        <translation>Ende-zu-Ende-verschlüsselt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>end-to-end encrypted</source>
        <translation>Ende-zu-Ende-verschlüsselt</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Server folders</source>
        <translation>Server-Ordner</translation>
    </message>
    <message>
        <location line="+60"/>
        <source>Loading…</source>
        <translation>Wird geladen…</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Could not be listed: %1</source>
        <translation>Konnte nicht aufgelistet werden: %1</translation>
    </message>
    <message>
        <location line="+98"/>
        <source>&amp;Encrypt</source>
        <translation>&amp;Verschlüsseln</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Encrypt this folder?</source>
        <translation>Diesen Ordner verschlüsseln?</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Everything you put in %1 will be encrypted on this computer before it is uploaded, with names the server cannot read.

The web interface will not be able to show these files, and the folder cannot be shared yet. Other devices need your 12 words to read them. This cannot be undone.</source>
        <translation>Alles, was Sie in %1 ablegen, wird auf diesem Computer verschlüsselt, bevor es hochgeladen wird, mit Namen, die der Server nicht lesen kann.

Die Weboberfläche kann diese Dateien nicht anzeigen, und der Ordner kann noch nicht geteilt werden. Andere Geräte benötigen Ihre 12 Wörter, um sie zu lesen. Dies kann nicht rückgängig gemacht werden.</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>end-to-end encryption is not set up on this computer</source>
        <translation>die Ende-zu-Ende-Verschlüsselung ist auf diesem Computer nicht eingerichtet</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>%1 is now end-to-end encrypted.</source>
        <translation>%1 ist jetzt Ende-zu-Ende-verschlüsselt.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 could not be encrypted: %2</source>
        <translation>%1 konnte nicht verschlüsselt werden: %2</translation>
    </message>
</context>
<context>
    <name>nubo::gui::ServerPage</name>
    <message>
        <location filename="../src/gui/account_wizard.cpp" line="-426"/>
        <source>Your Nextcloud server</source>
        <translation>Ihr Nextcloud-Server</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+94"/>
        <source>The address you open in the browser to use your Nextcloud, such as cloud.example.org.</source>
        <translation>Die Adresse, die Sie im Browser öffnen, um Ihre Nextcloud zu nutzen, etwa cloud.example.org.</translation>
    </message>
    <message>
        <location line="-88"/>
        <source>Server address</source>
        <translation>Serveradresse</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Server &amp;address:</source>
        <translation>Server&amp;adresse:</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>This server&apos;s certificate is not trusted by this computer</source>
        <translation>Dieser Computer vertraut dem Zertifikat dieses Servers nicht</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Certificate details</source>
        <translation>Zertifikatsdetails</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>I checked this fingerprint and trust this certificate</source>
        <translation>Ich habe diesen Fingerabdruck geprüft und vertraue diesem Zertifikat</translation>
    </message>
    <message>
        <location line="+53"/>
        <source>Checking %1…</source>
        <translation>%1 wird geprüft…</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>Issued to: %1
Issued by: %2
Valid from %3 to %4
Why it is not trusted: %5

SHA-256 fingerprint:
%6

Accept it only if its fingerprint is the one your server&apos;s administrator gave you. A different certificate later will be refused.</source>
        <translation>Ausgestellt für: %1
Ausgestellt von: %2
Gültig von %3 bis %4
Warum ihm nicht vertraut wird: %5

SHA-256-Fingerabdruck:
%6

Akzeptieren Sie es nur, wenn sein Fingerabdruck der ist, den Ihnen die Administration Ihres Servers genannt hat. Ein später abweichendes Zertifikat wird abgelehnt.</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Check the certificate below. To use this server, tick the box and press Next again.</source>
        <translation>Prüfen Sie das Zertifikat unten. Um diesen Server zu verwenden, setzen Sie das Häkchen und klicken Sie erneut auf „Weiter“.</translation>
    </message>
</context>
<context>
    <name>nubo::gui::SettingsWindow</name>
    <message>
        <location filename="../src/gui/settings_window.cpp" line="+11"/>
        <source>Nubo</source>
        <translation>Nubo</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Nubo settings</source>
        <translation>Nubo-Einstellungen</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Sync status</source>
        <translation>Synchronisationsstatus</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Settings sections</source>
        <translation>Einstellungsbereiche</translation>
    </message>
</context>
<context>
    <name>nubo::gui::TrayApp</name>
    <message>
        <location filename="../src/gui/tray_app.cpp" line="+14"/>
        <source>Nubo menu</source>
        <translation>Nubo-Menü</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Settings…</source>
        <translation>&amp;Einstellungen…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Quit Nubo</source>
        <translation>Nubo &amp;beenden</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>Folder %1</source>
        <translation>Ordner %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Open</source>
        <translation>&amp;Öffnen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>S&amp;ync now</source>
        <translation>Jetzt &amp;synchronisieren</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+46"/>
        <source>&amp;Pause</source>
        <translation>&amp;Pausieren</translation>
    </message>
    <message>
        <location line="-33"/>
        <source>syncing</source>
        <translation>Synchronisation läuft</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>removed</source>
        <translation>entfernt</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>&amp;Resume</source>
        <translation>&amp;Fortsetzen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>paused</source>
        <translation>pausiert</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>resumed</source>
        <translation>fortgesetzt</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>%1: %2</source>
        <extracomment>A folder&apos;s name, then the result of its last sync run (French: &quot;%1 : %2&quot;)</extracomment>
        <translation>%1: %2</translation>
    </message>
</context>
</TS>
