@echo off
rem The `housekeeper` command of a packaged Housekeeper (Windows): the app's own Electron binary
rem run as plain Node (ELECTRON_RUN_AS_NODE) on the CLI bundle inside app.asar, with console
rem output (the app binary itself is a GUI program). docs/decisions/0004-packaged-cli.md
setlocal
set ELECTRON_RUN_AS_NODE=1
"%~dp0..\..\Housekeeper.exe" "%~dp0..\app.asar\dist\main\cli.cjs" %*
exit /b %ERRORLEVEL%
