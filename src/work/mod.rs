//! Work scheduled off the UI task: bulk jobs on low-priority threads (`bulk`) and how many
//! cores they may use (`cores`).

pub mod bulk;
pub mod cores;
