//! Who acts: the configured `identity`, else `$USER`/`$LOGNAME`, else the login name of this
//! process's user in the password database, else its uid.

use crate::model::sanitize;

/// The identity used on acks and notes, from the configured one (empty: the login name).
pub fn resolve(configured: &str) -> String {
    if !configured.trim().is_empty() {
        return sanitize::line(configured.trim(), 64);
    }
    let from_env = ["USER", "LOGNAME"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|u| !u.trim().is_empty());
    let name = from_env
        .or_else(login_name)
        .unwrap_or_else(|| format!("uid {}", this_uid()));
    sanitize::line(name.trim(), 64)
}

/// The login name of this process's user, from the password database (`/etc/passwd`): who
/// acts when neither `identity` nor `$USER` says (a cron job, a bare `env -i`).
fn login_name() -> Option<String> {
    let uid = this_uid();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    login_name_in(&passwd, uid)
}

fn login_name_in(passwd: &str, uid: u32) -> Option<String> {
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let id = fields.nth(1)?.parse::<u32>().ok()?;
        (id == uid && !name.is_empty()).then(|| name.to_string())
    })
}

fn this_uid() -> u32 {
    rustix::process::getuid().as_raw()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_login_name_comes_from_the_password_database_by_uid() {
        let passwd = "root:x:0:0:root:/root:/bin/bash\nana:x:1000:1000:Ana,,,:/home/ana:/bin/sh\n";
        assert_eq!(login_name_in(passwd, 1000).as_deref(), Some("ana"));
        assert_eq!(login_name_in(passwd, 0).as_deref(), Some("root"));
        assert_eq!(login_name_in(passwd, 4242), None);
    }
}
