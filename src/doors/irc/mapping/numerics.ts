/**
 * Numeric replies the IRC door sends, by name, with their usual text; and the IRCv3
 * standard replies (FAIL/WARN/NOTE). Pure data and message builders.
 *
 *   numericReply('parley.example', 'alice', 'ERR_NOSUCHNICK', ['bob'])
 *     -> :parley.example 401 alice bob :No such nick/channel
 *   standardReply('FAIL', 'CHATHISTORY', 'INVALID_TARGET', ['#x'], 'No such channel')
 *     -> FAIL CHATHISTORY INVALID_TARGET #x :No such channel
 *
 * Names and texts follow https://modern.ircdocs.horse (RFC 1459/2812 where it is
 * silent). A reply's first parameter is the client's nick, or '*' before it has one.
 * Texts with placeholders in the docs (RPL_WELCOME, RPL_LOGGEDIN...) have no default
 * here: the session writes them. The messages still go through serialiseLine.
 */
import type { IrcMessage } from '../codec/line.js';

export const NUMERICS = {
  RPL_WELCOME: '001',
  RPL_YOURHOST: '002',
  RPL_CREATED: '003',
  RPL_MYINFO: '004',
  RPL_ISUPPORT: '005',
  RPL_STATSLINKINFO: '211',
  RPL_STATSCOMMANDS: '212',
  RPL_ENDOFSTATS: '219',
  RPL_UMODEIS: '221',
  RPL_STATSUPTIME: '242',
  RPL_LUSERCLIENT: '251',
  RPL_LUSEROP: '252',
  RPL_LUSERUNKNOWN: '253',
  RPL_LUSERCHANNELS: '254',
  RPL_LUSERME: '255',
  RPL_LOCALUSERS: '265',
  RPL_GLOBALUSERS: '266',
  RPL_AWAY: '301',
  RPL_USERHOST: '302',
  RPL_ISON: '303',
  RPL_UNAWAY: '305',
  RPL_NOWAWAY: '306',
  RPL_WHOISUSER: '311',
  RPL_WHOISSERVER: '312',
  RPL_WHOISOPERATOR: '313',
  RPL_WHOWASUSER: '314',
  RPL_ENDOFWHO: '315',
  ERR_INVALIDCAPCMD: '410',
  RPL_LISTSTART: '321',
  RPL_LIST: '322',
  RPL_LISTEND: '323',
  RPL_WHOREPLY: '352',
  RPL_WHOSPCRPL: '354',
  RPL_WHOISCHANOP: '316', // reserved in RFC 1459, unused by current servers
  RPL_WHOISIDLE: '317',
  RPL_WHOISACCOUNT: '330',
  RPL_VERSION: '351',
  RPL_ENDOFWHOIS: '318',
  RPL_WHOISCHANNELS: '319',
  RPL_CHANNELMODEIS: '324',
  RPL_CREATIONTIME: '329',
  RPL_NOTOPIC: '331',
  RPL_TOPIC: '332',
  RPL_TOPICWHOTIME: '333',
  RPL_INVITING: '341',
  RPL_NAMREPLY: '353',
  RPL_ENDOFNAMES: '366',
  RPL_BANLIST: '367',
  RPL_ENDOFBANLIST: '368',
  RPL_INFO: '371',
  RPL_MOTD: '372',
  RPL_ENDOFINFO: '374',
  RPL_YOUREOPER: '381',
  RPL_MOTDSTART: '375',
  RPL_ENDOFMOTD: '376',
  RPL_TIME: '391',
  ERR_NOSUCHNICK: '401',
  ERR_NOSUCHSERVER: '402',
  ERR_NOSUCHCHANNEL: '403',
  ERR_CANNOTSENDTOCHAN: '404',
  ERR_NORECIPIENT: '411',
  ERR_NOTEXTTOSEND: '412',
  ERR_INPUTTOOLONG: '417',
  ERR_UNKNOWNCOMMAND: '421',
  ERR_NOMOTD: '422',
  ERR_NONICKNAMEGIVEN: '431',
  ERR_ERRONEUSNICKNAME: '432',
  ERR_NICKNAMEINUSE: '433',
  ERR_NICKCOLLISION: '436',
  ERR_USERNOTINCHANNEL: '441',
  ERR_NOTONCHANNEL: '442',
  ERR_USERONCHANNEL: '443',
  ERR_NOTREGISTERED: '451',
  ERR_NEEDMOREPARAMS: '461',
  ERR_ALREADYREGISTERED: '462',
  ERR_PASSWDMISMATCH: '464',
  ERR_YOUREBANNEDCREEP: '465',
  ERR_CHANNELISFULL: '471',
  ERR_UNKNOWNMODE: '472',
  ERR_INVITEONLYCHAN: '473',
  ERR_BANNEDFROMCHAN: '474',
  ERR_BADCHANNELKEY: '475',
  ERR_BADCHANMASK: '476',
  ERR_NOCHANMODES: '477', // RFC 2812; some servers use 477 for "registered nick needed"
  ERR_NOPRIVILEGES: '481',
  ERR_CHANOPRIVSNEEDED: '482',
  ERR_NOOPERHOST: '491',
  ERR_UMODEUNKNOWNFLAG: '501',
  ERR_USERSDONTMATCH: '502',
  RPL_MONONLINE: '730',
  RPL_MONOFFLINE: '731',
  RPL_MONLIST: '732',
  RPL_ENDOFMONLIST: '733',
  ERR_MONLISTFULL: '734',
  RPL_LOGGEDIN: '900',
  RPL_LOGGEDOUT: '901',
  ERR_NICKLOCKED: '902',
  RPL_SASLSUCCESS: '903',
  ERR_SASLFAIL: '904',
  ERR_SASLTOOLONG: '905',
  ERR_SASLABORTED: '906',
  ERR_SASLALREADY: '907',
  RPL_SASLMECHS: '908',
} as const;

export type NumericName = keyof typeof NUMERICS;

/** The usual last parameter of replies whose text is fixed. */
export const DEFAULT_TEXT: Partial<Record<NumericName, string>> = {
  RPL_ISUPPORT: 'are supported by this server',
  RPL_LUSEROP: 'operator(s) online',
  RPL_ENDOFINFO: 'End of INFO list',
  RPL_LUSERUNKNOWN: 'unknown connection(s)',
  RPL_LUSERCHANNELS: 'channels formed',
  RPL_UNAWAY: 'You are no longer marked as being away',
  RPL_NOWAWAY: 'You have been marked as being away',
  RPL_WHOISOPERATOR: 'is an IRC operator',
  RPL_ENDOFWHO: 'End of WHO list',
  RPL_WHOISIDLE: 'seconds idle, signon time',
  RPL_ENDOFWHOIS: 'End of /WHOIS list',
  RPL_NOTOPIC: 'No topic is set',
  RPL_ENDOFNAMES: 'End of /NAMES list',
  RPL_ENDOFBANLIST: 'End of channel ban list',
  RPL_ENDOFMOTD: 'End of /MOTD command',
  ERR_NOSUCHNICK: 'No such nick/channel',
  ERR_NOSUCHSERVER: 'No such server',
  ERR_NOSUCHCHANNEL: 'No such channel',
  ERR_CANNOTSENDTOCHAN: 'Cannot send to channel',
  ERR_NORECIPIENT: 'No recipient given',
  ERR_NOTEXTTOSEND: 'No text to send',
  ERR_INPUTTOOLONG: 'Input line was too long',
  ERR_UNKNOWNCOMMAND: 'Unknown command',
  ERR_NOMOTD: 'MOTD File is missing',
  ERR_NONICKNAMEGIVEN: 'No nickname given',
  ERR_ERRONEUSNICKNAME: 'Erroneous nickname',
  ERR_NICKNAMEINUSE: 'Nickname is already in use',
  ERR_NICKCOLLISION: 'Nickname collision',
  ERR_USERNOTINCHANNEL: "They aren't on that channel",
  ERR_NOTONCHANNEL: "You're not on that channel",
  ERR_USERONCHANNEL: 'is already on channel',
  ERR_NOTREGISTERED: 'You have not registered',
  ERR_NEEDMOREPARAMS: 'Not enough parameters',
  ERR_ALREADYREGISTERED: 'You may not reregister',
  ERR_PASSWDMISMATCH: 'Password incorrect',
  ERR_YOUREBANNEDCREEP: 'You are banned from this server',
  ERR_CHANNELISFULL: 'Cannot join channel (+l)',
  ERR_UNKNOWNMODE: 'is unknown mode char to me',
  ERR_INVITEONLYCHAN: 'Cannot join channel (+i)',
  ERR_BANNEDFROMCHAN: 'Cannot join channel (+b)',
  ERR_BADCHANNELKEY: 'Cannot join channel (+k)',
  ERR_BADCHANMASK: 'Bad Channel Mask',
  ERR_NOCHANMODES: "Channel doesn't support modes",
  ERR_CHANOPRIVSNEEDED: "You're not channel operator",
  RPL_ENDOFMONLIST: 'End of MONITOR list',
  ERR_MONLISTFULL: 'Monitor list is full',
  RPL_LOGGEDOUT: 'You are now logged out',
  ERR_NICKLOCKED: 'You must use a nick assigned to you',
  RPL_SASLSUCCESS: 'SASL authentication successful',
  ERR_SASLFAIL: 'SASL authentication failed',
  ERR_SASLTOOLONG: 'SASL message too long',
  ERR_SASLABORTED: 'SASL authentication aborted',
  ERR_SASLALREADY: 'You have already authenticated using SASL',
  RPL_SASLMECHS: 'are available SASL mechanisms',
};

/**
 * `:<server> <code> <target> <params...> :<text>`. `text` defaults to DEFAULT_TEXT;
 * pass null to send no text parameter (e.g. RPL_MONONLINE, whose last param is a list).
 */
export function numericReply(
  server: string,
  target: string,
  name: NumericName,
  params: readonly string[] = [],
  text?: string | null,
): IrcMessage {
  const last = text === undefined ? DEFAULT_TEXT[name] : text;
  const all = [target || '*', ...params];
  if (last !== undefined && last !== null) all.push(last);
  return { tags: new Map(), source: server, command: NUMERICS[name], params: all };
}

/**
 * An IRCv3 standard reply: `FAIL <command> <code> [<context>...] :<description>`.
 * `command` is the command it is about, or '*'; `code` an UPPER_SNAKE machine-readable
 * code from the spec registry (ACCOUNT_REQUIRED, INVALID_TARGET, ...).
 */
export function standardReply(
  kind: 'FAIL' | 'WARN' | 'NOTE',
  command: string,
  code: string,
  context: readonly string[],
  description: string,
  server?: string,
): IrcMessage {
  const msg: IrcMessage = {
    tags: new Map(),
    command: kind,
    params: [command || '*', code, ...context, description],
    trailing: true,
  };
  if (server !== undefined) msg.source = server;
  return msg;
}
