//! Whole iptables-restore files and iptables-save output.
