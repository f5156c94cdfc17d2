//! Packets to and from the real network: raw IP sockets (layer 3, the kernel routes), live
//! capture and injection through libpcap (layer 2), the route to a destination, and the wall
//! clock that capture time stamps share. The engines (`crate::engine`) see these only through
//! their `Network` and `Clock` traits.

pub mod dgram;
pub mod live;
#[cfg(pkt_static_pcap)]
pub mod nodbus;
pub mod outfile;
pub mod packet;
pub mod raw;
pub mod rawrecv;
pub mod route;
pub mod sock;

use std::io;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The wall clock, as time since the epoch: the clock libpcap stamps captured packets with, so
/// an RTT is a capture stamp minus a send stamp of the same clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl crate::engine::Clock for SystemClock {
    fn now(&self) -> Duration {
        now()
    }
}

pub fn now() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

/// The error for an operation that needs raw sockets, naming the capability and how to get it.
pub fn privilege_error(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!(
            "{what} needs the CAP_NET_RAW capability (and CAP_NET_ADMIN for some interfaces): \
             run pkt with sudo, or give it the capabilities once with \
             `sudo setcap cap_net_raw,cap_net_admin+eip \"$(command -v pkt)\"`"
        ),
    )
}

/// Maps "operation not permitted" to [`privilege_error`]; other errors keep their text.
pub fn or_privilege(e: io::Error, what: &str) -> io::Error {
    match e.raw_os_error() {
        Some(libc::EPERM) | Some(libc::EACCES) => privilege_error(what),
        _ => e,
    }
}

/// As root, once the captures are open: become `user` (tcpdump's `-Z USER`), with its primary
/// group and its supplementary groups, so that nothing after this (the files written, above
/// all) runs or is created as root. Not root: nothing changes. Returns whether privileges were
/// dropped; an unknown user is an error.
pub fn drop_root_to(user: &str) -> io::Result<bool> {
    let name = std::ffi::CString::new(user)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a user name has no NUL"))?;
    let mut pw: libc::passwd = unsafe { std::mem::zeroed() };
    let mut found: *mut libc::passwd = std::ptr::null_mut();
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    // SAFETY: every pointer is valid for the call; the strings it sets point into `buf`.
    let rc = unsafe {
        libc::getpwnam_r(
            name.as_ptr(),
            &mut pw,
            buf.as_mut_ptr(),
            buf.len(),
            &mut found,
        )
    };
    if found.is_null() {
        let why = if rc == 0 {
            format!("no such user '{user}' (-Z)")
        } else {
            format!(
                "looking up user '{user}': {}",
                io::Error::from_raw_os_error(rc)
            )
        };
        return Err(io::Error::new(io::ErrorKind::NotFound, why));
    }
    if unsafe { libc::geteuid() } != 0 {
        return Ok(false);
    }
    // SAFETY: initgroups reads the NUL-terminated name.
    become_user(pw.pw_uid, pw.pw_gid, || unsafe {
        libc::initgroups(name.as_ptr(), pw.pw_gid) == 0
    })
}

/// Under `sudo`, once the sockets and captures are open: become the user who ran sudo
/// (`SUDO_UID`/`SUDO_GID`), so nothing after this runs as root. Open descriptors keep working.
/// Returns whether privileges were dropped.
pub fn drop_root_if_sudo() -> io::Result<bool> {
    let Some((uid, gid)) = sudo_ids() else {
        return Ok(false);
    };
    // SAFETY: no supplementary groups (a null list of length 0).
    become_user(uid, gid, || unsafe {
        libc::setgroups(0, std::ptr::null()) == 0
    })
}

/// As root under `sudo` by another user: that user's ids (`SUDO_UID`, `SUDO_GID`).
pub fn sudo_ids() -> Option<(u32, u32)> {
    if unsafe { libc::geteuid() } != 0 {
        return None;
    }
    let id = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<u32>().ok());
    let (uid, gid) = (id("SUDO_UID")?, id("SUDO_GID")?);
    (uid != 0).then_some((uid, gid))
}

/// The groups of user `uid` (the group database's list for its name, `gid` first); just `gid`
/// when the user has no entry.
fn user_groups(uid: u32, gid: u32) -> Vec<libc::gid_t> {
    let mut pw: libc::passwd = unsafe { std::mem::zeroed() };
    let mut found: *mut libc::passwd = std::ptr::null_mut();
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    // SAFETY: every pointer is valid for the calls; `found` points at `pw`, whose strings are
    // in `buf`.
    unsafe {
        libc::getpwuid_r(uid, &mut pw, buf.as_mut_ptr(), buf.len(), &mut found);
        if found.is_null() {
            return vec![gid];
        }
        let mut n: libc::c_int = 64;
        loop {
            let mut groups = vec![0 as libc::gid_t; n as usize];
            let before = n;
            if libc::getgrouplist(pw.pw_name, gid, groups.as_mut_ptr(), &mut n) >= 0 {
                groups.truncate(n.max(0) as usize);
                return groups;
            }
            if n <= before {
                n = before * 2;
            }
            if n > 65_536 {
                return vec![gid];
            }
        }
    }
}

/// Sets the supplementary groups (`groups`), then the group, then the user: after setuid
/// nothing else is allowed. Returns true (privileges dropped) or the failing call's error.
fn become_user(uid: u32, gid: u32, groups: impl FnOnce() -> bool) -> io::Result<bool> {
    // SAFETY: plain system calls on ids.
    let ok = groups()
        && unsafe { libc::setresgid(gid, gid, gid) == 0 && libc::setresuid(uid, uid, uid) == 0 };
    if !ok {
        return Err(io::Error::last_os_error());
    }
    Ok(true)
}
