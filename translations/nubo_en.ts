<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>QObject</name>
    <message numerus="yes">
        <location filename="../src/gui/folder_runner.cpp" line="+333"/>
        <source>%n item(s) not synced (%1: %2)</source>
        <extracomment>%1 is the first item&apos;s path, %2 why it was not synced</extracomment>
        <translation>
            <numerusform>%n item not synced (%1: %2)</numerusform>
            <numerusform>%n items not synced (%1: %2)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>%n conflict(s) kept as copies</source>
        <translation>
            <numerusform>%n conflict kept as copies</numerusform>
            <numerusform>%n conflicts kept as copies</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n up</source>
        <comment>items uploaded</comment>
        <translation>
            <numerusform>%n up</numerusform>
            <numerusform>%n up</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n down</source>
        <comment>items downloaded</comment>
        <translation>
            <numerusform>%n down</numerusform>
            <numerusform>%n down</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n moved</source>
        <comment>items</comment>
        <translation>
            <numerusform>%n moved</numerusform>
            <numerusform>%n moved</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n deleted</source>
        <comment>items</comment>
        <translation>
            <numerusform>%n deleted</numerusform>
            <numerusform>%n deleted</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>nubo::gui::AppController</name>
    <message numerus="yes">
        <location filename="../src/gui/app_controller.cpp" line="+326"/>
        <source>%n file(s) in %1 were deleted. Delete them everywhere, or restore them?</source>
        <translation>
            <numerusform>%n file in %1 was deleted. Delete it everywhere, or restore it?</numerusform>
            <numerusform>%n files in %1 were deleted. Delete them everywhere, or restore them?</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>nubo::gui::EncryptionPane</name>
    <message numerus="yes">
        <location filename="../src/gui/encryption_pane.cpp" line="+804"/>
        <source>The words hide again after %n second(s), or when this window is left.</source>
        <translation>
            <numerusform>The words hide again after %n second, or when this window is left.</numerusform>
            <numerusform>The words hide again after %n seconds, or when this window is left.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>nubo::gui::FolderRunner</name>
    <message numerus="yes">
        <location filename="../src/gui/folder_runner.cpp" line="-244"/>
        <source>waiting for your answer: %n item(s) deleted on the server</source>
        <translation>
            <numerusform>waiting for your answer: %n item deleted on the server</numerusform>
            <numerusform>waiting for your answer: %n items deleted on the server</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>waiting for your answer: %n item(s) deleted on this computer</source>
        <translation>
            <numerusform>waiting for your answer: %n item deleted on this computer</numerusform>
            <numerusform>waiting for your answer: %n items deleted on this computer</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+212"/>
        <source>for %n minute(s)</source>
        <translation>
            <numerusform>for %n minute</numerusform>
            <numerusform>for %n minutes</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>for %n hour(s)</source>
        <translation>
            <numerusform>for %n hour</numerusform>
            <numerusform>for %n hours</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>nubo::gui::MassDeleteDialog</name>
    <message numerus="yes">
        <location filename="../src/gui/mass_delete_dialog.cpp" line="+33"/>
        <source>%n item(s) in “%1” were deleted on the server.</source>
        <translation>
            <numerusform>%n item in “%1” was deleted on the server.</numerusform>
            <numerusform>%n items in “%1” were deleted on the server.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n item(s) in “%1” were deleted on this computer.</source>
        <translation>
            <numerusform>%n item in “%1” was deleted on this computer.</numerusform>
            <numerusform>%n items in “%1” were deleted on this computer.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+25"/>
        <source>… and %n more</source>
        <translation>
            <numerusform>… and %n more</numerusform>
            <numerusform>… and %n more</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>nubo::gui::MnemonicGrid</name>
    <message numerus="yes">
        <location filename="../src/gui/mnemonic_widgets.cpp" line="+206"/>
        <source>The words are on the clipboard; Nubo takes them off again in %n second(s). Paste them only into a password manager you trust.</source>
        <translation>
            <numerusform>The words are on the clipboard; Nubo takes them off again in %n second. Paste them only into a password manager you trust.</numerusform>
            <numerusform>The words are on the clipboard; Nubo takes them off again in %n seconds. Paste them only into a password manager you trust.</numerusform>
        </translation>
    </message>
</context>
</TS>
