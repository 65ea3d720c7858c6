<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr" sourcelanguage="en">
<context>
    <name>QObject</name>
    <message>
        <location filename="../src/gui/account_wizard.cpp" line="+29"/>
        <source>Check the address and that this computer is online.</source>
        <translation>Vérifiez l&apos;adresse et que cet ordinateur est connecté à Internet.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Check that this is the address of a Nextcloud server (the one you open in the browser).</source>
        <translation>Vérifiez qu&apos;il s&apos;agit bien de l&apos;adresse d&apos;un serveur Nextcloud (celle que vous ouvrez dans le navigateur).</translation>
    </message>
    <message>
        <location filename="../src/gui/app_settings.cpp" line="+196"/>
        <source>Choose a local folder (a full path such as %1).</source>
        <translation>Choisissez un dossier local (un chemin complet comme %1).</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 is a file, not a folder: choose a folder.</source>
        <translation>%1 est un fichier, pas un dossier : choisissez un dossier.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 is already synced (as part of %2): choose another folder.</source>
        <translation>%1 est déjà synchronisé (en tant que partie de %2) : choisissez un autre dossier.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 contains %2, which is already synced: choose another folder.</source>
        <translation>%1 contient %2, qui est déjà synchronisé : choisissez un autre dossier.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 does not exist and cannot be made here: choose a folder you can write to.</source>
        <translation>%1 n&apos;existe pas et ne peut pas être créé ici : choisissez un dossier dans lequel vous pouvez écrire.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Nubo cannot write to %1 (%2): choose a folder you can write to, or change its permissions.</source>
        <translation>Nubo ne peut pas écrire dans %1 (%2) : choisissez un dossier dans lequel vous pouvez écrire, ou modifiez ses droits d&apos;accès.</translation>
    </message>
    <message>
        <location filename="../src/gui/autostart.cpp" line="+63"/>
        <source>Nubo&apos;s path holds a line break, which an autostart entry cannot hold: move Nubo to a plainer path.</source>
        <translation>Le chemin de Nubo contient un saut de ligne, ce qu&apos;une entrée de démarrage automatique ne peut pas contenir : déplacez Nubo vers un chemin plus simple.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Nubo cannot remove %1: remove it by hand, or check its permissions.</source>
        <translation>Nubo ne peut pas supprimer %1 : supprimez-le à la main, ou vérifiez ses droits d&apos;accès.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Nubo cannot make the folder %1: check its permissions.</source>
        <translation>Nubo ne peut pas créer le dossier %1 : vérifiez ses droits d&apos;accès.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Nubo cannot write %1 (%2): check the folder&apos;s permissions and free space.</source>
        <translation>Nubo ne peut pas écrire %1 (%2) : vérifiez les droits d&apos;accès du dossier et l&apos;espace libre.</translation>
    </message>
    <message>
        <location filename="../src/gui/encryption_pane.cpp" line="+53"/>
        <location filename="../src/gui/general_pane.cpp" line="+58"/>
        <location filename="../src/gui/ui_helpers.cpp" line="+16"/>
        <source>Error</source>
        <translation>Erreur</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Check that this computer is online, then try again.</source>
        <translation>Vérifiez que cet ordinateur est connecté à Internet, puis réessayez.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The server no longer accepts Nubo&apos;s app password: log in to this account again.</source>
        <translation>Le serveur n&apos;accepte plus le mot de passe d&apos;application de Nubo : reconnectez-vous à ce compte.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The server&apos;s certificate is not the one Nubo trusts for this account.</source>
        <translation>Le certificat du serveur n&apos;est pas celui auquel Nubo fait confiance pour ce compte.</translation>
    </message>
    <message numerus="yes">
        <location filename="../src/gui/folder_runner.cpp" line="+333"/>
        <source>%n item(s) not synced (%1: %2)</source>
        <extracomment>%1 is the first item&apos;s path, %2 why it was not synced</extracomment>
        <translation>
            <numerusform>%n élément non synchronisé (%1 : %2)</numerusform>
            <numerusform>%n éléments non synchronisés (%1 : %2)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>%n conflict(s) kept as copies</source>
        <translation>
            <numerusform>%n conflit conservé sous forme de copie</numerusform>
            <numerusform>%n conflits conservés sous forme de copies</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n up</source>
        <comment>items uploaded</comment>
        <translation>
            <numerusform>%n téléversé</numerusform>
            <numerusform>%n téléversés</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n down</source>
        <comment>items downloaded</comment>
        <translation>
            <numerusform>%n téléchargé</numerusform>
            <numerusform>%n téléchargés</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n moved</source>
        <comment>items</comment>
        <translation>
            <numerusform>%n déplacé</numerusform>
            <numerusform>%n déplacés</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n deleted</source>
        <comment>items</comment>
        <translation>
            <numerusform>%n supprimé</numerusform>
            <numerusform>%n supprimés</numerusform>
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
        <translation>à jour</translation>
    </message>
    <message>
        <location filename="../src/gui/remote_folder_tree.cpp" line="+45"/>
        <source>This server does not offer end-to-end encryption.</source>
        <translation>Ce serveur ne propose pas le chiffrement de bout en bout.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This folder is end-to-end encrypted already.</source>
        <translation>Ce dossier est déjà chiffré de bout en bout.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This folder is inside an encrypted folder, so it is encrypted already.</source>
        <translation>Ce dossier se trouve dans un dossier chiffré, il est donc déjà chiffré.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Only a folder inside this one can be encrypted.</source>
        <translation>Seul un dossier situé à l&apos;intérieur de celui-ci peut être chiffré.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Set up end-to-end encryption on this computer first (the Encryption tab).</source>
        <translation>Configurez d&apos;abord le chiffrement de bout en bout sur cet ordinateur (onglet « Chiffrement »).</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Checking whether the folder is empty…</source>
        <translation>Vérification que le dossier est vide…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Only an empty folder can be encrypted: the files in it would stay readable by the server. Move them out, encrypt the folder, and move them back in.</source>
        <translation>Seul un dossier vide peut être chiffré : les fichiers qu&apos;il contient resteraient lisibles par le serveur. Déplacez-les ailleurs, chiffrez le dossier, puis remettez-les dedans.</translation>
    </message>
    <message>
        <location filename="../src/gui/general_pane.cpp" line="-22"/>
        <source> KiB/s</source>
        <translation> Kio/s</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No limit</source>
        <translation>Aucune limite</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Status</source>
        <translation>État</translation>
    </message>
</context>
<context>
    <name>Translations</name>
    <message>
        <location filename="../src/gui/translations.cpp" line="+71"/>
        <source>System default</source>
        <translation>Langue du système</translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message>
        <location filename="../src/gui/tray_state.cpp" line="+42"/>
        <source>up to date</source>
        <translation>à jour</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>syncing</source>
        <translation>synchronisation en cours</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>paused</source>
        <translation>en pause</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>needs your attention</source>
        <translation>requiert votre attention</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>offline</source>
        <translation>hors ligne</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Nubo: %1</source>
        <translation>Nubo : %1</translation>
    </message>
</context>
<context>
    <name>nubo::gui::AccountPane</name>
    <message>
        <location filename="../src/gui/account_pane.cpp" line="+12"/>
        <source>Account</source>
        <translation>Compte</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Account problem</source>
        <translation>Problème de compte</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Log &amp;in again…</source>
        <translation>Se re&amp;connecter…</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Account details</source>
        <translation>Détails du compte</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Log &amp;out…</source>
        <translation>Se &amp;déconnecter…</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>No account is set up.</source>
        <translation>Aucun compte n&apos;est configuré.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Server: %1
User: %2
App password kept %3</source>
        <translation>Serveur : %1
Utilisateur : %2
Mot de passe d&apos;application conservé %3</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>in a private file</source>
        <translation>dans un fichier privé</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>in the system keychain</source>
        <translation>dans le trousseau du système</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Certificate accepted by you, SHA-256 %1</source>
        <translation>Certificat accepté par vous, SHA-256 %1</translation>
    </message>
</context>
<context>
    <name>nubo::gui::AccountWizard</name>
    <message>
        <location filename="../src/gui/account_wizard.cpp" line="+464"/>
        <source>Connect Nubo to your Nextcloud</source>
        <translation>Connecter Nubo à votre Nextcloud</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Account wizard</source>
        <translation>Assistant de compte</translation>
    </message>
</context>
<context>
    <name>nubo::gui::ActivityPane</name>
    <message>
        <location filename="../src/gui/activity_pane.cpp" line="+40"/>
        <source>Activity</source>
        <translation>Activité</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Show:</source>
        <translation>&amp;Afficher :</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Show the activity of</source>
        <translation>Afficher l&apos;activité de</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All folders</source>
        <translation>Tous les dossiers</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Recent activity</source>
        <translation>Activité récente</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Time</source>
        <translation>Heure</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Folder</source>
        <translation>Dossier</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Item</source>
        <translation>Élément</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>What</source>
        <translation>Action</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Open the containing folder</source>
        <translation>&amp;Ouvrir le dossier parent</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>%1: %2</source>
        <extracomment>What happened to a file, then the details</extracomment>
        <translation>%1 : %2</translation>
    </message>
</context>
<context>
    <name>nubo::gui::AddFolderDialog</name>
    <message>
        <location filename="../src/gui/add_folder_dialog.cpp" line="+25"/>
        <location line="+1"/>
        <source>Add a folder to sync</source>
        <translation>Ajouter un dossier à synchroniser</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Local folder</source>
        <translation>Dossier local</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Choose…</source>
        <translation>&amp;Choisir…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Local folder:</source>
        <translation>Dossier &amp;local :</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Server folder:</source>
        <translation>Dossier du &amp;serveur :</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Your files (all of them)</source>
        <translation>Vos fichiers (tous)</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>&amp;Sync this folder</source>
        <translation>S&amp;ynchroniser ce dossier</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Local folder to sync</source>
        <translation>Dossier local à synchroniser</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>Choose the server folder to sync.</source>
        <translation>Choisissez le dossier du serveur à synchroniser.</translation>
    </message>
</context>
<context>
    <name>nubo::gui::AppController</name>
    <message>
        <location filename="../src/gui/app_controller.cpp" line="+31"/>
        <source>&amp;Folders</source>
        <translation>&amp;Dossiers</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A&amp;ccount</source>
        <translation>&amp;Compte</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Ac&amp;tivity</source>
        <translation>Ac&amp;tivité</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Stop syncing this folder?</source>
        <translation>Arrêter la synchronisation de ce dossier ?</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Nubo stops syncing %1. Its files stay on this computer and on the server.</source>
        <translation>Nubo arrête de synchroniser %1. Ses fichiers restent sur cet ordinateur et sur le serveur.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>&amp;General</source>
        <translation>&amp;Général</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Log out of %1?</source>
        <translation>Se déconnecter de %1 ?</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Nubo stops syncing and forgets this account on this computer: its app password is revoked on the server and removed here. Your files stay on this computer and on the server, and the end-to-end encryption key stays on this device (the Encryption pane can remove it).</source>
        <translation>Nubo arrête la synchronisation et oublie ce compte sur cet ordinateur : son mot de passe d&apos;application est révoqué sur le serveur et supprimé ici. Vos fichiers restent sur cet ordinateur et sur le serveur, et la clé de chiffrement de bout en bout reste sur cet appareil (l&apos;onglet « Chiffrement » permet de la supprimer).</translation>
    </message>
    <message>
        <location line="+59"/>
        <source>Nubo cannot keep or read the proxy password: %1. The proxy was not changed.</source>
        <translation>Nubo ne peut ni conserver ni lire le mot de passe du proxy : %1. Le proxy n&apos;a pas été modifié.</translation>
    </message>
    <message>
        <location line="+82"/>
        <source>Nubo cannot read its app password from %1: %2
Unlock the keychain and restart Nubo, or log in again (you may then keep the password in a private file instead).</source>
        <translation>Nubo ne peut pas lire son mot de passe d&apos;application depuis %1 : %2
Déverrouillez le trousseau et redémarrez Nubo, ou reconnectez-vous (vous pourrez alors conserver le mot de passe dans un fichier privé).</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>its private file</source>
        <translation>son fichier privé</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>the system keychain</source>
        <translation>le trousseau du système</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Nubo&apos;s app password is not stored on this computer any more: log in again.</source>
        <translation>Le mot de passe d&apos;application de Nubo n&apos;est plus enregistré sur cet ordinateur : reconnectez-vous.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>&amp;Encryption</source>
        <translation>C&amp;hiffrement</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The server no longer accepts Nubo&apos;s app password (it may have been revoked in the web interface). Log in again to go on syncing; nothing was changed.</source>
        <translation>Le serveur n&apos;accepte plus le mot de passe d&apos;application de Nubo (il a peut-être été révoqué dans l&apos;interface web). Reconnectez-vous pour poursuivre la synchronisation ; rien n&apos;a été modifié.</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>The server refused Nubo&apos;s app password (%1). It may have been revoked in the web interface. Log in again to go on syncing; nothing was changed.</source>
        <translation>Le serveur a refusé le mot de passe d&apos;application de Nubo (%1). Il a peut-être été révoqué dans l&apos;interface web. Reconnectez-vous pour poursuivre la synchronisation ; rien n&apos;a été modifié.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Nubo needs you to log in again</source>
        <translation>Nubo a besoin que vous vous reconnectiez</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Encrypted folders are not synced</source>
        <translation>Les dossiers chiffrés ne sont pas synchronisés</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Conflict in %1</source>
        <translation>Conflit dans %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 was changed here and on the server. Both versions are kept: yours as %2.</source>
        <translation>%1 a été modifié ici et sur le serveur. Les deux versions sont conservées : la vôtre sous le nom %2.</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Nubo is waiting for your answer</source>
        <translation>Nubo attend votre réponse</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n file(s) in %1 were deleted. Delete them everywhere, or restore them?</source>
        <translation>
            <numerusform>%n fichier de %1 a été supprimé. Le supprimer partout, ou le restaurer ?</numerusform>
            <numerusform>%n fichiers de %1 ont été supprimés. Les supprimer partout, ou les restaurer ?</numerusform>
        </translation>
    </message>
    <message>
        <location line="+48"/>
        <source>Not logged in</source>
        <translation>Non connecté</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>Not connected</source>
        <translation>Pas encore connecté</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Nubo is not connected to the server yet, so its folders cannot be listed. Try again in a moment.</source>
        <translation>Nubo n&apos;est pas encore connecté au serveur, ses dossiers ne peuvent donc pas être listés. Réessayez dans un instant.</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Choose what to sync in %1</source>
        <translation>Choisir quoi synchroniser dans %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Untick the folders this computer should leave out. Right-click an empty folder to encrypt it.</source>
        <translation>Décochez les dossiers que cet ordinateur doit ignorer. Faites un clic droit sur un dossier vide pour le chiffrer.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>%1 on the server</source>
        <translation>%1 sur le serveur</translation>
    </message>
</context>
<context>
    <name>nubo::gui::EncryptionPane</name>
    <message>
        <location filename="../src/gui/encryption_pane.cpp" line="+74"/>
        <source>End-to-end encryption</source>
        <translation>Chiffrement de bout en bout</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Warning: the server&apos;s encryption keys changed</source>
        <translation>Attention : les clés de chiffrement du serveur ont changé</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Nubo stopped syncing your encrypted folders</source>
        <translation>Nubo a arrêté de synchroniser vos dossiers chiffrés</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The server now shows a different encryption key or certificate for this account than the one this device saw first. Someone may be trying to read your encrypted files: whoever controls the server, or broke into it, can swap keys to have your files encrypted to a key of theirs. So Nubo stopped syncing the encrypted folders of this account; nothing is encrypted to the new key, and your files on this computer stay as they are. Your other folders keep syncing.

What to do: ask your server&apos;s administrator whether the end-to-end encryption keys were reset or the server was moved, and do not trust the change until they confirm it. Nubo cannot accept a changed key here: once you are sure the change is legitimate, remove the key from this device and add it again with your 12 words.</source>
        <translation>Le serveur présente désormais pour ce compte une clé de chiffrement ou un certificat différent de celui que cet appareil a vu en premier. Quelqu&apos;un essaie peut-être de lire vos fichiers chiffrés : quiconque contrôle le serveur, ou s&apos;y est introduit, peut échanger les clés pour que vos fichiers soient chiffrés avec une clé lui appartenant. Nubo a donc arrêté de synchroniser les dossiers chiffrés de ce compte ; rien n&apos;est chiffré avec la nouvelle clé, et vos fichiers sur cet ordinateur restent tels quels. Vos autres dossiers continuent de se synchroniser.

Que faire : demandez à l&apos;administrateur de votre serveur si les clés de chiffrement de bout en bout ont été réinitialisées ou si le serveur a été déplacé, et ne faites pas confiance à ce changement tant qu&apos;il ne l&apos;a pas confirmé. Nubo ne peut pas accepter ici une clé modifiée : une fois certain que le changement est légitime, supprimez la clé de cet appareil et ajoutez-la de nouveau avec vos 12 mots.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Details</source>
        <translation>Détails</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Status</source>
        <translation>État</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>&amp;Try again</source>
        <translation>&amp;Réessayer</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>End-to-end encryption keeps the folders you choose readable on your devices only: the server stores them encrypted and cannot read them. Setting it up makes your personal key and 12 words that unlock it on your other devices.</source>
        <translation>Le chiffrement de bout en bout rend les dossiers que vous choisissez lisibles uniquement sur vos appareils : le serveur les stocke chiffrés et ne peut pas les lire. Sa configuration crée votre clé personnelle et 12 mots qui la déverrouillent sur vos autres appareils.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Set up end-to-end encryption</source>
        <translation>&amp;Configurer le chiffrement de bout en bout</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>These are your 12 words. With them you add your other devices, and they are the only way back to your encrypted files if this computer is lost: nobody else has them, not even the server&apos;s administrator. Anyone who has them and can log in to your account can read your encrypted files.

Write them down on paper now, in this order, and keep the paper somewhere safe. Nubo shows them again only after you log in again (&quot;Show the 12 words&quot;).</source>
        <translation>Voici vos 12 mots. Ils vous permettent d&apos;ajouter vos autres appareils, et ils sont le seul moyen de retrouver vos fichiers chiffrés si cet ordinateur est perdu : personne d&apos;autre ne les possède, pas même l&apos;administrateur du serveur. Quiconque les possède et peut se connecter à votre compte peut lire vos fichiers chiffrés.

Notez-les maintenant sur papier, dans cet ordre, et conservez ce papier en lieu sûr. Nubo ne les affiche de nouveau qu&apos;après une nouvelle connexion (« Afficher les 12 mots »).</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>About your 12 words</source>
        <translation>À propos de vos 12 mots</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>I have &amp;written them down</source>
        <translation>Je les ai &amp;notés</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Show the words &amp;again</source>
        <translation>Afficher de nouveau les &amp;mots</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Your account already has an end-to-end encryption key, made on another device. Type the 12 words that were shown then, in their order, to use it on this device too.</source>
        <translation>Votre compte possède déjà une clé de chiffrement de bout en bout, créée sur un autre appareil. Saisissez les 12 mots affichés à ce moment-là, dans leur ordre, pour l&apos;utiliser aussi sur cet appareil.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&amp;Add this device</source>
        <translation>&amp;Ajouter cet appareil</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>End-to-end encryption is set up on this device. Your other devices show the same fingerprints; compare them if in doubt.</source>
        <translation>Le chiffrement de bout en bout est configuré sur cet appareil. Vos autres appareils affichent les mêmes empreintes ; comparez-les en cas de doute.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Your key&apos;s fingerprint</source>
        <translation>Empreinte de votre clé</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Where the key is kept</source>
        <translation>Emplacement de la clé</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The server key&apos;s fingerprint</source>
        <translation>Empreinte de la clé du serveur</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Your key (SHA-256):</source>
        <translation>Votre clé (SHA-256) :</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Kept in:</source>
        <translation>Conservée dans :</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Server key (SHA-256):</source>
        <translation>Clé du serveur (SHA-256) :</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Show the &amp;12 words</source>
        <translation>Afficher les &amp;12 mots</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Remove the key from this device</source>
        <translation>&amp;Supprimer la clé de cet appareil</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>&amp;Hide the words</source>
        <translation>&amp;Masquer les mots</translation>
    </message>
    <message>
        <location line="+106"/>
        <source>What Nubo found: %1</source>
        <translation>Ce que Nubo a constaté : %1</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Checking end-to-end encryption on %1…</source>
        <translation>Vérification du chiffrement de bout en bout sur %1…</translation>
    </message>
    <message>
        <location line="+80"/>
        <source>End-to-end encryption is not available on %1: the server does not offer it (its administrator has not enabled the End-to-end encryption app). Your files are synced over an encrypted connection, but the server can read them.</source>
        <translation>Le chiffrement de bout en bout n&apos;est pas disponible sur %1 : le serveur ne le propose pas (son administrateur n&apos;a pas activé l&apos;application « Chiffrement de bout en bout »). Vos fichiers sont synchronisés via une connexion chiffrée, mais le serveur peut les lire.</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Making your key and having the server certify it…</source>
        <translation>Création de votre clé et certification par le serveur…</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Nubo could not keep the words in %1 (%2), so it cannot show them again later: write them down now.</source>
        <translation>Nubo n&apos;a pas pu conserver les mots dans %1 (%2) et ne pourra donc pas les afficher de nouveau plus tard : notez-les maintenant.</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Opening your key with the 12 words…</source>
        <translation>Ouverture de votre clé avec les 12 mots…</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>These 12 words do not open your key: check each word and its order; the words are the ones shown when encryption was set up on your first device.</source>
        <translation>Ces 12 mots n&apos;ouvrent pas votre clé : vérifiez chaque mot et leur ordre ; ce sont les mots affichés lors de la configuration du chiffrement sur votre premier appareil.</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>This device is set up, but Nubo could not keep the 12 words in %1 (%2), so &quot;Show the 12 words&quot; cannot show them.</source>
        <translation>Cet appareil est configuré, mais Nubo n&apos;a pas pu conserver les 12 mots dans %1 (%2) ; « Afficher les 12 mots » ne peut donc pas les afficher.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Remove the key from this device?</source>
        <translation>Supprimer la clé de cet appareil ?</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove the end-to-end encryption key of %1 from this device?</source>
        <translation>Supprimer de cet appareil la clé de chiffrement de bout en bout de %1 ?</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The encrypted folders stop syncing on this device until you add it again with your 12 words. The key stays on the server, and your other devices keep working. Make sure you have the 12 words before you remove it.</source>
        <translation>Les dossiers chiffrés cessent de se synchroniser sur cet appareil jusqu&apos;à ce que vous l&apos;ajoutiez de nouveau avec vos 12 mots. La clé reste sur le serveur, et vos autres appareils continuent de fonctionner. Assurez-vous d&apos;avoir les 12 mots avant de la supprimer.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Remove the key</source>
        <translation>&amp;Supprimer la clé</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Removing the key from %1…</source>
        <translation>Suppression de la clé de %1…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The key could not be removed from %1: %2</source>
        <translation>La clé n&apos;a pas pu être supprimée de %1 : %2</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Show the 12 words</source>
        <translation>Afficher les 12 mots</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>To see your 12 words, type the password of %1 on %2 (your Nextcloud password, or an app password). Nubo checks it with the server.</source>
        <translation>Pour voir vos 12 mots, saisissez le mot de passe de %1 sur %2 (votre mot de passe Nextcloud, ou un mot de passe d&apos;application). Nubo le vérifie auprès du serveur.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Password</source>
        <translation>Mot de passe</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Password:</source>
        <translation>&amp;Mot de passe :</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Show the words</source>
        <translation>&amp;Afficher les mots</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Type your password.</source>
        <translation>Saisissez votre mot de passe.</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>The server refused this password. Type the password you log in to Nextcloud with, or an app password of this account.</source>
        <translation>Le serveur a refusé ce mot de passe. Saisissez le mot de passe avec lequel vous vous connectez à Nextcloud, ou un mot de passe d&apos;application de ce compte.</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Reading the 12 words from %1…</source>
        <translation>Lecture des 12 mots depuis %1…</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>The 12 words could not be read from %1: %2</source>
        <translation>Les 12 mots n&apos;ont pas pu être lus depuis %1 : %2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>This device does not keep the 12 words: it was set up before Nubo kept them, or with nubocmd. Use the paper you wrote them on.</source>
        <translation>Cet appareil ne conserve pas les 12 mots : il a été configuré avant que Nubo ne les conserve, ou avec nubocmd. Utilisez le papier sur lequel vous les avez notés.</translation>
    </message>
    <message numerus="yes">
        <location line="+9"/>
        <source>The words hide again after %n second(s), or when this window is left.</source>
        <translation>
            <numerusform>Les mots sont de nouveau masqués après %n seconde, ou lorsque vous quittez cette fenêtre.</numerusform>
            <numerusform>Les mots sont de nouveau masqués après %n secondes, ou lorsque vous quittez cette fenêtre.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>nubo::gui::FolderRow</name>
    <message>
        <location filename="../src/gui/folders_pane.cpp" line="+34"/>
        <source>Folder %1</source>
        <translation>Dossier %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 ⇄ %2 on the server</source>
        <translation>%1 ⇄ %2 sur le serveur</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Waiting for the first sync</source>
        <translation>En attente de la première synchronisation</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Status of %1</source>
        <translation>État de %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>File in transfer</source>
        <translation>Fichier en cours de transfert</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Progress of %1</source>
        <translation>Progression de %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Sync &amp;now</source>
        <translation>Synchroniser &amp;maintenant</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Open</source>
        <translation>&amp;Ouvrir</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Choose &amp;what to sync…</source>
        <translation>Choisir &amp;quoi synchroniser…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Remove…</source>
        <translation>Re&amp;tirer…</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Looking for changes…</source>
        <translation>Recherche de modifications…</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Syncing: %1 of %2 items, %3 of %4</source>
        <translation>Synchronisation : %1 éléments sur %2, %3 sur %4</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Syncing: %1 of %2 items</source>
        <translation>Synchronisation : %1 éléments sur %2</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>&amp;Resume</source>
        <translation>&amp;Reprendre</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;Pause</source>
        <translation>Mettre en &amp;pause</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Paused</source>
        <translation>En pause</translation>
    </message>
</context>
<context>
    <name>nubo::gui::FolderRunner</name>
    <message numerus="yes">
        <location filename="../src/gui/folder_runner.cpp" line="-245"/>
        <source>waiting for your answer: %n item(s) deleted on the server</source>
        <translation>
            <numerusform>en attente de votre réponse : %n élément supprimé sur le serveur</numerusform>
            <numerusform>en attente de votre réponse : %n éléments supprimés sur le serveur</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>waiting for your answer: %n item(s) deleted on this computer</source>
        <translation>
            <numerusform>en attente de votre réponse : %n élément supprimé sur cet ordinateur</numerusform>
            <numerusform>en attente de votre réponse : %n éléments supprimés sur cet ordinateur</numerusform>
        </translation>
    </message>
    <message>
        <location line="+90"/>
        <source>Locked by another client</source>
        <translation>Verrouillé par un autre client</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>paused</source>
        <translation>en pause</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>stopped</source>
        <translation>arrêté</translation>
    </message>
    <message>
        <location line="+78"/>
        <location line="+11"/>
        <source>Not synced</source>
        <translation>Non synchronisé</translation>
    </message>
    <message>
        <location line="-9"/>
        <source>Uploaded</source>
        <translation>Téléversé</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Downloaded</source>
        <translation>Téléchargé</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Folder made on the server</source>
        <translation>Dossier créé sur le serveur</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Folder made here</source>
        <translation>Dossier créé ici</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Moved on the server</source>
        <translation>Déplacé sur le serveur</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Moved here</source>
        <translation>Déplacé ici</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deleted on the server</source>
        <translation>Supprimé sur le serveur</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deleted here</source>
        <translation>Supprimé ici</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Conflict, both versions kept</source>
        <translation>Conflit, les deux versions sont conservées</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>since moments ago</source>
        <translation>depuis quelques instants</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>for %n minute(s)</source>
        <translation>
            <numerusform>depuis %n minute</numerusform>
            <numerusform>depuis %n minutes</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>for %n hour(s)</source>
        <translation>
            <numerusform>depuis %n heure</numerusform>
            <numerusform>depuis %n heures</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Another client (another of your devices, or someone the folder is shared with) holds the lock of this encrypted folder while it changes it: found locked %1 (first at %2). Nubo changes nothing in it until the lock is released: your files here stay as they are and go up at the first sync after that. Nubo tries again by itself, waiting a little longer each time; the rest of the folder syncs as usual. A lock that stays for hours was left by a client that stopped half-way; it is released when that client syncs again.</source>
        <extracomment>%1: &quot;for 12 minutes&quot; or &quot;since moments ago&quot;; %2: the time it was first found locked</extracomment>
        <translation>Un autre client (un autre de vos appareils, ou une personne avec qui le dossier est partagé) détient le verrou de ce dossier chiffré pendant qu&apos;il le modifie : trouvé verrouillé %1 (la première fois à %2). Nubo n&apos;y modifie rien tant que le verrou n&apos;est pas levé : vos fichiers ici restent tels quels et seront téléversés lors de la première synchronisation qui suivra. Nubo réessaie de lui-même, en attendant un peu plus longtemps à chaque fois ; le reste du dossier se synchronise normalement. Un verrou qui persiste pendant des heures a été laissé par un client qui s&apos;est arrêté en cours de route ; il est levé lorsque ce client se synchronise de nouveau.</translation>
    </message>
</context>
<context>
    <name>nubo::gui::FoldersPane</name>
    <message>
        <location filename="../src/gui/folders_pane.cpp" line="+20"/>
        <source>Synced folders</source>
        <translation>Dossiers synchronisés</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>No folder is synced yet. Add one to start.</source>
        <translation>Aucun dossier n&apos;est encore synchronisé. Ajoutez-en un pour commencer.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&amp;Add a folder…</source>
        <translation>&amp;Ajouter un dossier…</translation>
    </message>
</context>
<context>
    <name>nubo::gui::GeneralPane</name>
    <message>
        <location filename="../src/gui/general_pane.cpp" line="+9"/>
        <source>General settings</source>
        <translation>Paramètres généraux</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Start</source>
        <translation>Démarrage</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Start Nubo when I log in</source>
        <translation>&amp;Démarrer Nubo à l&apos;ouverture de session</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>&amp;Language:</source>
        <translation>&amp;Langue :</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The language changes when Nubo starts again.</source>
        <translation>La langue change au prochain démarrage de Nubo.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Bandwidth</source>
        <translation>Bande passante</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Upload limit</source>
        <translation>Limite de téléversement</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Download limit</source>
        <translation>Limite de téléchargement</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Upload limit:</source>
        <translation>Limite de &amp;téléversement :</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Download limit:</source>
        <translation>Limite de télé&amp;chargement :</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>For all folders together; a change applies to transfers under way.</source>
        <translation>Pour l&apos;ensemble des dossiers ; une modification s&apos;applique aussi aux transferts en cours.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Files to leave out</source>
        <translation>Fichiers à exclure</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>One pattern per line, as in Nextcloud&apos;s sync-exclude.lst: *.tmp, build/ (a folder), /notes.txt (only at the top). Files that match are neither uploaded nor downloaded, and never deleted because of it. Nubo&apos;s own patterns (temporary files of editors and of the system) always apply.</source>
        <translation>Un motif par ligne, comme dans le fichier sync-exclude.lst de Nextcloud : *.tmp, build/ (un dossier), /notes.txt (seulement à la racine). Les fichiers correspondants ne sont ni téléversés ni téléchargés, et ne sont jamais supprimés pour autant. Les motifs propres à Nubo (fichiers temporaires des éditeurs et du système) s&apos;appliquent toujours.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Patterns of files to leave out</source>
        <translation>Motifs des fichiers à exclure</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Sa&amp;ve patterns</source>
        <translation>&amp;Enregistrer les motifs</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Nubo cannot write %1 (%2); the folders go on with the patterns they had.</source>
        <translation>Nubo ne peut pas écrire %1 (%2) ; les dossiers continuent avec les motifs qu&apos;ils avaient.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Saved. The folders sync with these patterns from now on.</source>
        <translation>Enregistré. Les dossiers se synchronisent désormais avec ces motifs.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Network proxy</source>
        <translation>Proxy réseau</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Use the s&amp;ystem&apos;s proxy settings</source>
        <translation>Utiliser les paramètres de proxy du s&amp;ystème</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;No proxy</source>
        <translation>&amp;Aucun proxy</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Use &amp;this proxy:</source>
        <translation>Utiliser &amp;ce proxy :</translation>
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
        <translation>SOCKS5, noms résolus par le proxy</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>proxy.example.org</source>
        <translation>proxy.example.org</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>(port)</source>
        <translation>(port)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The proxy needs a &amp;login</source>
        <translation>Le proxy exige une au&amp;thentification</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>(unchanged)</source>
        <translation>(inchangé)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>T&amp;ype:</source>
        <translation>T&amp;ype :</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Host:</source>
        <translation>&amp;Hôte :</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Port:</source>
        <translation>&amp;Port :</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>U&amp;ser:</source>
        <translation>&amp;Utilisateur :</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pass&amp;word:</source>
        <translation>&amp;Mot de passe :</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Apply proxy settings</source>
        <translation>A&amp;ppliquer les paramètres du proxy</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>Enter the proxy&apos;s host name or address, such as proxy.example.org, without http:// or a port.</source>
        <translation>Saisissez le nom d&apos;hôte ou l&apos;adresse du proxy, par exemple proxy.example.org, sans http:// ni port.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Enter the proxy&apos;s port, such as 3128 for HTTP or 1080 for SOCKS5.</source>
        <translation>Saisissez le port du proxy, par exemple 3128 pour HTTP ou 1080 pour SOCKS5.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Enter the user name the proxy expects, or untick &quot;The proxy needs a login&quot;.</source>
        <translation>Saisissez le nom d&apos;utilisateur attendu par le proxy, ou décochez « Le proxy exige une authentification ».</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Applied: Nubo now connects through %1.</source>
        <translation>Appliqué : Nubo se connecte désormais via %1.</translation>
    </message>
</context>
<context>
    <name>nubo::gui::LoginPage</name>
    <message>
        <location filename="../src/gui/account_wizard.cpp" line="-295"/>
        <source>Log in</source>
        <translation>Connexion</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Log in in your browser and grant Nubo access. Nubo gets its own app password; your password stays with the server.</source>
        <translation>Connectez-vous dans votre navigateur et autorisez l&apos;accès à Nubo. Nubo reçoit son propre mot de passe d&apos;application ; votre mot de passe reste sur le serveur.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Login status</source>
        <translation>État de la connexion</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Open the browser</source>
        <translation>&amp;Ouvrir le navigateur</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Copy the link</source>
        <translation>&amp;Copier le lien</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Keep the app password in a private &amp;file</source>
        <translation>Conserver le mot de passe d&apos;application dans un &amp;fichier privé</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Use an &amp;app password instead</source>
        <translation>Utiliser plutôt un mot de passe d&apos;&amp;application</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>App password (made in the web interface under Settings → Security)</source>
        <translation>Mot de passe d&apos;application (créé dans l&apos;interface web sous Paramètres → Sécurité)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>User name</source>
        <translation>Nom d&apos;utilisateur</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>App password</source>
        <translation>Mot de passe d&apos;application</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Log in</source>
        <translation>Se co&amp;nnecter</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;User name:</source>
        <translation>Nom d&apos;&amp;utilisateur :</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>App &amp;password:</source>
        <translation>&amp;Mot de passe d&apos;application :</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>No browser could be opened. Copy the link and open it in a browser yourself.</source>
        <translation>Aucun navigateur n&apos;a pu être ouvert. Copiez le lien et ouvrez-le vous-même dans un navigateur.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The link is on the clipboard: open it in a browser, log in and grant access. Nubo is waiting.</source>
        <translation>Le lien est dans le presse-papiers : ouvrez-le dans un navigateur, connectez-vous et autorisez l&apos;accès. Nubo attend.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Type your user name and an app password.</source>
        <translation>Saisissez votre nom d&apos;utilisateur et un mot de passe d&apos;application.</translation>
    </message>
    <message>
        <location line="+57"/>
        <source>Starting the login at %1…</source>
        <translation>Démarrage de la connexion à %1…</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>The browser login cannot be used with this server.</source>
        <translation>La connexion par le navigateur n&apos;est pas possible avec ce serveur.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>You can use an app password instead.</source>
        <translation>Vous pouvez utiliser un mot de passe d&apos;application à la place.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Your browser shows the login page: log in there and grant access. Nubo is waiting and goes on by itself.</source>
        <translation>Votre navigateur affiche la page de connexion : connectez-vous et autorisez l&apos;accès. Nubo attend et continuera tout seul.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No browser could be opened. Copy the link, open it in a browser, log in and grant access; Nubo is waiting.</source>
        <translation>Aucun navigateur n&apos;a pu être ouvert. Copiez le lien, ouvrez-le dans un navigateur, connectez-vous et autorisez l&apos;accès ; Nubo attend.</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Still waiting for the login (the server did not answer the last check: %1).</source>
        <translation>Toujours en attente de la connexion (le serveur n&apos;a pas répondu à la dernière vérification : %1).</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Checking the app password…</source>
        <translation>Vérification du mot de passe d&apos;application…</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>The server did not accept the app password it just gave out. Go back and log in again.</source>
        <translation>Le serveur n&apos;a pas accepté le mot de passe d&apos;application qu&apos;il vient de délivrer. Revenez en arrière et reconnectez-vous.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The server refused this user name and app password. Check them, or make a new app password in the web interface.</source>
        <translation>Le serveur a refusé ce nom d&apos;utilisateur et ce mot de passe d&apos;application. Vérifiez-les, ou créez un nouveau mot de passe d&apos;application dans l&apos;interface web.</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Storing the app password in a private file…</source>
        <translation>Enregistrement du mot de passe d&apos;application dans un fichier privé…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Storing the app password in the system keychain…</source>
        <translation>Enregistrement du mot de passe d&apos;application dans le trousseau du système…</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>The app password could not be stored: %1</source>
        <translation>Le mot de passe d&apos;application n&apos;a pas pu être enregistré : %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The system keychain could not store the app password: %1
Unlock or install a keychain (such as GNOME Keyring or KWallet) and go back and forth to try again, or let Nubo keep it in a private file that only you can read (%2).</source>
        <translation>Le trousseau du système n&apos;a pas pu enregistrer le mot de passe d&apos;application : %1
Déverrouillez ou installez un trousseau (comme GNOME Keyring ou KWallet), puis revenez en arrière et avancez de nouveau pour réessayer, ou laissez Nubo le conserver dans un fichier privé que vous seul pouvez lire (%2).</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Logged in as %1 on %2. The app password is kept %3.</source>
        <translation>Connecté en tant que %1 sur %2. Le mot de passe d&apos;application est conservé %3.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>in a private file</source>
        <translation>dans un fichier privé</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>in the system keychain</source>
        <translation>dans le trousseau du système</translation>
    </message>
</context>
<context>
    <name>nubo::gui::MassDeleteDialog</name>
    <message>
        <location filename="../src/gui/mass_delete_dialog.cpp" line="+28"/>
        <source>Deleted items in “%1”</source>
        <translation>Éléments supprimés dans « %1 »</translation>
    </message>
    <message numerus="yes">
        <location line="+5"/>
        <source>%n item(s) in “%1” were deleted on the server.</source>
        <translation>
            <numerusform>%n élément de « %1 » a été supprimé sur le serveur.</numerusform>
            <numerusform>%n éléments de « %1 » ont été supprimés sur le serveur.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n item(s) in “%1” were deleted on this computer.</source>
        <translation>
            <numerusform>%n élément de « %1 » a été supprimé sur cet ordinateur.</numerusform>
            <numerusform>%n éléments de « %1 » ont été supprimés sur cet ordinateur.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Delete them on this computer too, or restore them on the server from the copies here?</source>
        <translation>Les supprimer aussi sur cet ordinateur, ou les restaurer sur le serveur à partir des copies présentes ici ?</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Delete them on the server too, or restore them here from the server?</source>
        <translation>Les supprimer aussi sur le serveur, ou les restaurer ici depuis le serveur ?</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Nothing changes in this folder until you answer.</source>
        <translation>Rien ne change dans ce dossier tant que vous n&apos;avez pas répondu.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Question</source>
        <translation>Question</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Items:</source>
        <translation>É&amp;léments :</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Deleted items</source>
        <translation>Éléments supprimés</translation>
    </message>
    <message numerus="yes">
        <location line="+9"/>
        <source>… and %n more</source>
        <translation>
            <numerusform>… et %n autre</numerusform>
            <numerusform>… et %n autres</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Delete them here too</source>
        <translation>&amp;Supprimer ici aussi</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;Delete them on the server too</source>
        <translation>&amp;Supprimer aussi sur le serveur</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Delete them on this computer too</source>
        <translation>Les supprimer aussi sur cet ordinateur</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete them on the server too</source>
        <translation>Les supprimer aussi sur le serveur</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Restore them</source>
        <translation>&amp;Restaurer</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Restore them on the server</source>
        <translation>Les restaurer sur le serveur</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Restore them here</source>
        <translation>Les restaurer ici</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Decide &amp;later</source>
        <translation>Décider plus &amp;tard</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Decide later</source>
        <translation>Décider plus tard</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Nothing changes until you answer</source>
        <translation>Rien ne change tant que vous n&apos;avez pas répondu</translation>
    </message>
</context>
<context>
    <name>nubo::gui::MnemonicConfirmation</name>
    <message>
        <location filename="../src/gui/mnemonic_widgets.cpp" line="+235"/>
        <source>To check that you wrote the words down, type two of them from your paper.</source>
        <translation>Pour vérifier que vous avez noté les mots, saisissez-en deux à partir de votre papier.</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>C&amp;heck</source>
        <translation>&amp;Vérifier</translation>
    </message>
    <message>
        <location line="+52"/>
        <source>Word &amp;%1:</source>
        <translation>Mot &amp;%1 :</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Word %1:</source>
        <translation>Mot %1 :</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>Word %1</source>
        <translation>Mot %1</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Words %1 and %2 are not the ones shown.</source>
        <translation>Les mots %1 et %2 ne sont pas ceux affichés.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Word %1 is not the one shown.</source>
        <translation>Le mot %1 n&apos;est pas celui affiché.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Compare what you wrote down with the words, in their order; go back to the words if a word is missing or hard to read.</source>
        <translation>Comparez ce que vous avez noté avec les mots, dans leur ordre ; revenez aux mots si l&apos;un d&apos;eux manque ou est difficile à lire.</translation>
    </message>
</context>
<context>
    <name>nubo::gui::MnemonicEntry</name>
    <message>
        <location line="+28"/>
        <source>Word %1</source>
        <translation>Mot %1</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Suggestions for word %1</source>
        <translation>Suggestions pour le mot %1</translation>
    </message>
    <message>
        <location line="+94"/>
        <source>This is not one of the words Nubo uses.</source>
        <translation>Ce n&apos;est pas l&apos;un des mots qu&apos;utilise Nubo.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not in the word list.</source>
        <translation>Absent de la liste de mots.</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+4"/>
        <source>Did you mean %1?</source>
        <translation>Vouliez-vous dire %1 ?</translation>
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
        <translation>Vérifiez son orthographe sur votre papier.</translation>
    </message>
</context>
<context>
    <name>nubo::gui::MnemonicGrid</name>
    <message>
        <location line="-349"/>
        <source>Your 12 words</source>
        <translation>Vos 12 mots</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>&amp;Copy</source>
        <translation>&amp;Copier</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Copies the 12 words, for a password manager; they are taken off the clipboard again after a minute</source>
        <translation>Copie les 12 mots, pour un gestionnaire de mots de passe ; ils sont retirés du presse-papiers au bout d&apos;une minute</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Word %1: %2</source>
        <translation>Mot %1 : %2</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Word %1: hidden</source>
        <translation>Mot %1 : masqué</translation>
    </message>
    <message numerus="yes">
        <location line="+12"/>
        <source>The words are on the clipboard; Nubo takes them off again in %n second(s). Paste them only into a password manager you trust.</source>
        <translation>
            <numerusform>Les mots sont dans le presse-papiers ; Nubo les en retire dans %n seconde. Ne les collez que dans un gestionnaire de mots de passe de confiance.</numerusform>
            <numerusform>Les mots sont dans le presse-papiers ; Nubo les en retire dans %n secondes. Ne les collez que dans un gestionnaire de mots de passe de confiance.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+14"/>
        <source>The words were taken off the clipboard.</source>
        <translation>Les mots ont été retirés du presse-papiers.</translation>
    </message>
</context>
<context>
    <name>nubo::gui::RemoteFolderTree</name>
    <message>
        <location filename="../src/gui/remote_folder_tree.cpp" line="-20"/>
        <source>End-to-end encrypted</source>
        <translation>Chiffré de bout en bout</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>end-to-end encrypted</source>
        <translation>chiffré de bout en bout</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Server folders</source>
        <translation>Dossiers du serveur</translation>
    </message>
    <message>
        <location line="+60"/>
        <source>Loading…</source>
        <translation>Chargement…</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Could not be listed: %1</source>
        <translation>Impossible de lister le contenu : %1</translation>
    </message>
    <message>
        <location line="+98"/>
        <source>&amp;Encrypt</source>
        <translation>&amp;Chiffrer</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Encrypt this folder?</source>
        <translation>Chiffrer ce dossier ?</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Everything you put in %1 will be encrypted on this computer before it is uploaded, with names the server cannot read.

The web interface will not be able to show these files, and the folder cannot be shared yet. Other devices need your 12 words to read them. This cannot be undone.</source>
        <translation>Tout ce que vous placerez dans %1 sera chiffré sur cet ordinateur avant d&apos;être téléversé, avec des noms que le serveur ne peut pas lire.

L&apos;interface web ne pourra pas afficher ces fichiers, et le dossier ne peut pas encore être partagé. Les autres appareils ont besoin de vos 12 mots pour les lire. Cette opération est irréversible.</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>end-to-end encryption is not set up on this computer</source>
        <translation>le chiffrement de bout en bout n&apos;est pas configuré sur cet ordinateur</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>%1 is now end-to-end encrypted.</source>
        <translation>%1 est désormais chiffré de bout en bout.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 could not be encrypted: %2</source>
        <translation>%1 n&apos;a pas pu être chiffré : %2</translation>
    </message>
</context>
<context>
    <name>nubo::gui::ServerPage</name>
    <message>
        <location filename="../src/gui/account_wizard.cpp" line="-426"/>
        <source>Your Nextcloud server</source>
        <translation>Votre serveur Nextcloud</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+94"/>
        <source>The address you open in the browser to use your Nextcloud, such as cloud.example.org.</source>
        <translation>L&apos;adresse que vous ouvrez dans le navigateur pour utiliser votre Nextcloud, par exemple cloud.example.org.</translation>
    </message>
    <message>
        <location line="-88"/>
        <source>Server address</source>
        <translation>Adresse du serveur</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Server &amp;address:</source>
        <translation>&amp;Adresse du serveur :</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>This server&apos;s certificate is not trusted by this computer</source>
        <translation>Cet ordinateur ne fait pas confiance au certificat de ce serveur</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Certificate details</source>
        <translation>Détails du certificat</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>I checked this fingerprint and trust this certificate</source>
        <translation>J&apos;ai vérifié cette empreinte et je fais confiance à ce certificat</translation>
    </message>
    <message>
        <location line="+53"/>
        <source>Checking %1…</source>
        <translation>Vérification de %1…</translation>
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
        <translation>Délivré à : %1
Délivré par : %2
Valide du %3 au %4
Pourquoi il n&apos;est pas approuvé : %5

Empreinte SHA-256 :
%6

Ne l&apos;acceptez que si son empreinte est celle que l&apos;administrateur de votre serveur vous a communiquée. Un certificat différent sera refusé par la suite.</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Check the certificate below. To use this server, tick the box and press Next again.</source>
        <translation>Vérifiez le certificat ci-dessous. Pour utiliser ce serveur, cochez la case et cliquez de nouveau sur « Suivant ».</translation>
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
        <translation>Paramètres de Nubo</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Sync status</source>
        <translation>État de la synchronisation</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Settings sections</source>
        <translation>Sections des paramètres</translation>
    </message>
</context>
<context>
    <name>nubo::gui::TrayApp</name>
    <message>
        <location filename="../src/gui/tray_app.cpp" line="+14"/>
        <source>Nubo menu</source>
        <translation>Menu de Nubo</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Settings…</source>
        <translation>&amp;Paramètres…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Quit Nubo</source>
        <translation>&amp;Quitter Nubo</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>Folder %1</source>
        <translation>Dossier %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Open</source>
        <translation>&amp;Ouvrir</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>S&amp;ync now</source>
        <translation>&amp;Synchroniser maintenant</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+46"/>
        <source>&amp;Pause</source>
        <translation>Mettre en &amp;pause</translation>
    </message>
    <message>
        <location line="-33"/>
        <source>syncing</source>
        <translation>synchronisation en cours</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>removed</source>
        <translation>retiré</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>&amp;Resume</source>
        <translation>&amp;Reprendre</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>paused</source>
        <translation>en pause</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>resumed</source>
        <translation>repris</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>%1: %2</source>
        <extracomment>A folder&apos;s name, then the result of its last sync run (French: &quot;%1 : %2&quot;)</extracomment>
        <translation>%1 : %2</translation>
    </message>
</context>
</TS>
