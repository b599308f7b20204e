"""irctest controller for Parley's IRC door.

Run from an irctest checkout (https://github.com/progval/irctest), with Parley built
(`npm run build`) at PARLEY_DIR:

    PYTHONPATH=/path/to/parley/conformance/irctest PARLEY_DIR=/path/to/parley \
      python3 -m pytest --controller parley_irctest -m 'not Ergo and not deprecated and not strict'

Each test gets a fresh server with its own data directory (SQLite, in-process bus).
"""

import os
import shutil
from pathlib import Path
from typing import Optional, Set, Type

from irctest import patma
from irctest.basecontrollers import BaseServerController, DirectoryBasedController
from irctest.cases import BaseServerTestCase
from irctest.runner import NotImplementedByController
from irctest.specifications import Capabilities, OptionalBehaviors

PARLEY_DIR = Path(os.environ.get("PARLEY_DIR", Path(__file__).resolve().parents[2]))

# The operator irctest's OPER tests use: an account created at start, listed in
# [irc] operators.
OPER_NAME = "operuser"
OPER_PASSWORD = "operpassword"


class ParleyController(BaseServerController, DirectoryBasedController):
    software_name = "Parley"
    _port_wait_interval = 0.05
    supported_sasl_mechanisms = {"PLAIN", "SCRAM-SHA-256"}
    supports_sts = False
    nickserv = "NickServ"

    capabilities = frozenset(
        (
            Capabilities.ACCOUNT_NOTIFY,
            Capabilities.ACCOUNT_TAG,
            Capabilities.AWAY_NOTIFY,
            Capabilities.BATCH,
            Capabilities.ECHO_MESSAGE,
            Capabilities.EXTENDED_JOIN,
            Capabilities.LABELED_RESPONSE,
            Capabilities.MESSAGE_TAGS,
            Capabilities.MULTI_PREFIX,
            Capabilities.READ_MARKER,
            Capabilities.SERVER_TIME,
            Capabilities.SETNAME,
        )
    )

    optional_behaviors = frozenset(
        (
            OptionalBehaviors.CAP_REQ_MINUS,
            OptionalBehaviors.ELIST_U,
            OptionalBehaviors.MULTI_JOIN,
            OptionalBehaviors.SASL_AFTER_REGISTRATION,
        )
    )

    def create_config(self) -> None:
        super().create_config()

    def run(
        self,
        hostname: str,
        port: int,
        *,
        password: Optional[str],
        ssl: bool,
        run_services: bool,
        faketime: Optional[str],
        websocket_hostname: Optional[str] = None,
        websocket_port: Optional[int] = None,
    ) -> None:
        if password is not None:
            raise NotImplementedByController("PASS server passwords")
        if websocket_hostname is not None or websocket_port is not None:
            raise NotImplementedByController("Websocket")
        assert self.proc is None
        self.create_config()
        assert self.directory
        self.port = port
        self.hostname = hostname
        # Parley refuses unknown PARLEY_* variables: pass none from the caller's environment.
        env = {k: v for (k, v) in os.environ.items() if not k.startswith("PARLEY_")}
        env.update(
            {
                "PARLEY_DATA_DIR": str(self.directory / "data"),
                "PARLEY_SERVER_HOST": hostname,
                "PARLEY_SERVER_PORT": "0",
                "PARLEY_IRC_HOST": hostname,
                "PARLEY_IRC_PORT": str(-1 if ssl else port),
                "PARLEY_IRC_TLS_PORT": str(port if ssl else -1),
                "PARLEY_IRC_LINES_PER_SECOND": "1000",
                "PARLEY_IRC_LINE_BURST": "10000",
                "PARLEY_IRC_OPERATORS": OPER_NAME,
                "PARLEY_IRC_SERVER_NAME": "My.Little.Server",
                "PARLEY_XMPP_PORT": "-1",
                "PARLEY_XMPP_TLS_PORT": "-1",
                "PARLEY_REGISTRATION_POLICY": "open",
                "PARLEY_REGISTRATION_MIN_PASSWORD_LENGTH": "1",
                "PARLEY_ROOMS_GUESTS_MAY_CREATE": "true",
                "PARLEY_REGISTRATION_ACCOUNTS_PER_ADDRESS_PER_HOUR": "1000000",
                "PARLEY_LOGIN_FREE_FAILURES": "1000",
                "PARLEY_LIMITS_CONNECTIONS_PER_ADDRESS": "1000",
                "PARLEY_LIMITS_REQUESTS_PER_MINUTE_PER_ADDRESS": "1000000",
                "PARLEY_MESSAGES_PER_SECOND": "1000",
                "PARLEY_MESSAGES_BURST": "10000",
                "PARLEY_LOG_LEVEL": "debug" if self.debug_mode else "warn",
            }
        )
        faketime_cmd = []
        if faketime and shutil.which("faketime"):
            faketime_cmd = ["faketime", "-f", faketime]
            self.faketime_enabled = True
        self.proc = self.execute(
            [*faketime_cmd, "node", str(PARLEY_DIR / "bin" / "parley.js"), "serve"],
            env=env,
        )
        self.wait_for_port()
        self._register_oper()

    def _register_oper(self) -> None:
        """Creates the operator account through NickServ, as a person would."""
        import socket
        import time

        sock = socket.create_connection((self.hostname, self.port), timeout=10)
        sock.sendall(f"NICK {OPER_NAME}\r\nUSER o o o :o\r\n".encode())
        buf = b""
        deadline = time.time() + 30
        sent = False
        while time.time() < deadline:
            data = sock.recv(4096)
            if not data:
                break
            buf += data
            if not sent and b" 001 " in buf:
                sock.sendall(f"PRIVMSG NickServ :REGISTER {OPER_PASSWORD}\r\n".encode())
                sent = True
                buf = b""
            elif sent and b"NOTICE" in buf:
                break
        sock.sendall(b"QUIT\r\n")
        while sock.recv(4096):  # gone before a test counts users (LUSERS)
            pass
        sock.close()

    def wait_for_services(self) -> None:
        pass

    def registerUser(
        self,
        case: BaseServerTestCase,
        username: str,
        password: Optional[str] = None,
    ) -> None:
        assert password
        client = case.addClient(show_io=False)
        case.sendLine(client, "CAP LS 302")
        case.sendLine(client, "NICK " + username)
        case.sendLine(client, "USER r e g :user")
        case.sendLine(client, "CAP END")
        while case.getRegistrationMessage(client).command != "001":
            pass
        case.getMessages(client)
        case.sendLine(client, "PRIVMSG NickServ :REGISTER " + password)
        seen = []
        for _ in range(50):
            msgs = case.getMessages(client)
            seen += msgs
            if any(m.command == "NOTICE" for m in msgs):
                break
        else:
            raise AssertionError(f"no answer from NickServ REGISTER: {seen}")
        case.sendLine(client, "QUIT")
        case.assertDisconnected(client)


def get_irctest_controller_class() -> Type[ParleyController]:
    return ParleyController
