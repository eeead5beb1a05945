//! nf_tables and nfnetlink constants (`linux/netfilter/nf_tables.h`,
//! `linux/netfilter/nfnetlink.h`) that libnftnl does not export, and
//! libnftnl's own functions (re-exported from `nftnl-sys`): building rule
//! and chain messages, and reading rules and expressions back from dumps.

pub use nftnl_sys as nftnl;

/// `NFNL_SUBSYS_NFTABLES`: the nfnetlink subsystem of nf_tables (the high
/// byte of every nf_tables message type).
pub const NFNL_SUBSYS_NFTABLES: u16 = 10;
/// `NFNL_MSG_BATCH_BEGIN` (`NLMSG_MIN_TYPE`).
pub const NFNL_MSG_BATCH_BEGIN: u16 = 16;
/// `NFNL_MSG_BATCH_END`.
pub const NFNL_MSG_BATCH_END: u16 = 17;
/// `NFNL_BATCH_GENID`: attribute of a batch begin message, the ruleset
/// generation the batch was computed from (u32, network order). The kernel
/// answers `ERESTART` when the generation has moved on.
pub const NFNL_BATCH_GENID: u16 = 1;

/// `NFT_MSG_NEWTABLE`.
pub const NFT_MSG_NEWTABLE: u16 = 0;
/// `NFT_MSG_GETTABLE`.
pub const NFT_MSG_GETTABLE: u16 = 1;
/// `NFT_MSG_DELTABLE`.
pub const NFT_MSG_DELTABLE: u16 = 2;
/// `NFT_MSG_NEWCHAIN`.
pub const NFT_MSG_NEWCHAIN: u16 = 3;
/// `NFT_MSG_GETCHAIN`.
pub const NFT_MSG_GETCHAIN: u16 = 4;
/// `NFT_MSG_DELCHAIN`.
pub const NFT_MSG_DELCHAIN: u16 = 5;
/// `NFT_MSG_NEWRULE`.
pub const NFT_MSG_NEWRULE: u16 = 6;
/// `NFT_MSG_GETRULE`.
pub const NFT_MSG_GETRULE: u16 = 7;
/// `NFT_MSG_DELRULE`.
pub const NFT_MSG_DELRULE: u16 = 8;
/// `NFT_MSG_NEWGEN`.
pub const NFT_MSG_NEWGEN: u16 = 15;
/// `NFT_MSG_GETGEN`.
pub const NFT_MSG_GETGEN: u16 = 16;

/// `NFPROTO_IPV4`: the nf_tables family `ip`.
pub const NFPROTO_IPV4: u16 = 2;
/// `NFPROTO_IPV6`: the nf_tables family `ip6`.
pub const NFPROTO_IPV6: u16 = 10;

/// `NFT_REG_VERDICT`.
pub const NFT_REG_VERDICT: u32 = 0;
/// `NFT_REG_1`: the first 16-byte data register (iptables-nft uses it for
/// every load).
pub const NFT_REG_1: u32 = 1;

/// `NF_DROP`.
pub const NF_DROP: i32 = 0;
/// `NF_ACCEPT`.
pub const NF_ACCEPT: i32 = 1;
/// `NF_QUEUE`.
pub const NF_QUEUE: i32 = 3;
/// `NFT_CONTINUE`.
pub const NFT_CONTINUE: i32 = -1;
/// `NFT_BREAK`.
pub const NFT_BREAK: i32 = -2;
/// `NFT_JUMP`.
pub const NFT_JUMP: i32 = -3;
/// `NFT_GOTO`.
pub const NFT_GOTO: i32 = -4;
/// `NFT_RETURN`.
pub const NFT_RETURN: i32 = -5;

/// `NFT_CMP_EQ`.
pub const NFT_CMP_EQ: u32 = 0;
/// `NFT_CMP_NEQ`.
pub const NFT_CMP_NEQ: u32 = 1;
/// `NFT_RANGE_EQ`.
pub const NFT_RANGE_EQ: u32 = 0;
/// `NFT_RANGE_NEQ`.
pub const NFT_RANGE_NEQ: u32 = 1;
/// `NFT_BITWISE_BOOL` (mask and xor), the only bitwise operation
/// iptables-nft writes.
pub const NFT_BITWISE_BOOL: u32 = 0;

/// `NFT_PAYLOAD_LL_HEADER`.
pub const NFT_PAYLOAD_LL_HEADER: u32 = 0;
/// `NFT_PAYLOAD_NETWORK_HEADER`.
pub const NFT_PAYLOAD_NETWORK_HEADER: u32 = 1;
/// `NFT_PAYLOAD_TRANSPORT_HEADER`.
pub const NFT_PAYLOAD_TRANSPORT_HEADER: u32 = 2;

/// `NFT_META_MARK`.
pub const NFT_META_MARK: u32 = 3;
/// `NFT_META_IIFNAME`.
pub const NFT_META_IIFNAME: u32 = 6;
/// `NFT_META_OIFNAME`.
pub const NFT_META_OIFNAME: u32 = 7;
/// `NFT_META_L4PROTO`.
pub const NFT_META_L4PROTO: u32 = 16;

/// `NFT_RULE_COMPAT_F_INV`: the rule's compat protocol is inverted (`! -p`).
pub const NFT_RULE_COMPAT_F_INV: u32 = 1 << 1;

/// `NF_INET_*` hook numbers as nf_tables base chains take them.
pub const NF_INET_PRE_ROUTING: u32 = 0;
/// `NF_INET_LOCAL_IN`.
pub const NF_INET_LOCAL_IN: u32 = 1;
/// `NF_INET_FORWARD`.
pub const NF_INET_FORWARD: u32 = 2;
/// `NF_INET_LOCAL_OUT`.
pub const NF_INET_LOCAL_OUT: u32 = 3;
/// `NF_INET_POST_ROUTING`.
pub const NF_INET_POST_ROUTING: u32 = 4;

/// `ERESTART`: a batch carried a generation id that is no longer current.
pub const ERESTART: i32 = libc::ERESTART;

/// `NFT_CMP_LT`.
pub const NFT_CMP_LT: u32 = 2;
/// `NFT_CMP_LTE`.
pub const NFT_CMP_LTE: u32 = 3;
/// `NFT_CMP_GT`.
pub const NFT_CMP_GT: u32 = 4;
/// `NFT_CMP_GTE`.
pub const NFT_CMP_GTE: u32 = 5;

/// `NFT_REG32_01`: the 4-byte register iptables-nft puts `-j TRACE`'s 1 in.
pub const NFT_REG32_01: u32 = 9;
/// `NFT_META_NFTRACE`: the trace flag `-j TRACE` sets.
pub const NFT_META_NFTRACE: u32 = 12;
