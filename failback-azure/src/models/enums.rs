//! String enumerations shared by several resources.

string_enum! {
    /// Failover direction.
    pub enum FailoverDirection {
        /// `PrimaryToRecovery`.
        PrimaryToRecovery = "PrimaryToRecovery",
        /// `RecoveryToPrimary`.
        RecoveryToPrimary = "RecoveryToPrimary",
    }
}

/// The failover direction.
///
/// The spec defines `PossibleOperationsDirections` with the same values as [`FailoverDirection`].
pub type PossibleOperationsDirections = FailoverDirection;

string_enum! {
    /// A value indicating whether source site operations are required.
    pub enum SourceSiteOperations {
        /// `Required`.
        Required = "Required",
        /// `NotRequired`.
        NotRequired = "NotRequired",
    }
}

string_enum! {
    /// The health.
    pub enum ProtectionHealth {
        /// `None`.
        None = "None",
        /// `Normal`.
        Normal = "Normal",
        /// `Warning`.
        Warning = "Warning",
        /// `Critical`.
        Critical = "Critical",
    }
}

string_enum! {
    /// An operation on a replication protected item: the values of `allowedOperations` and of a
    /// recovery plan action's `failoverTypes` (the spec describes it as "The list of failover
    /// types.").
    pub enum ReplicationProtectedItemOperation {
        /// `ReverseReplicate`.
        ReverseReplicate = "ReverseReplicate",
        /// `Commit`.
        Commit = "Commit",
        /// `PlannedFailover`.
        PlannedFailover = "PlannedFailover",
        /// `UnplannedFailover`.
        UnplannedFailover = "UnplannedFailover",
        /// `DisableProtection`.
        DisableProtection = "DisableProtection",
        /// `TestFailover`.
        TestFailover = "TestFailover",
        /// `TestFailoverCleanup`.
        TestFailoverCleanup = "TestFailoverCleanup",
        /// `Failback`.
        Failback = "Failback",
        /// `FinalizeFailback`.
        FinalizeFailback = "FinalizeFailback",
        /// `CancelFailover`.
        CancelFailover = "CancelFailover",
        /// `ChangePit`.
        ChangePit = "ChangePit",
        /// `RepairReplication`.
        RepairReplication = "RepairReplication",
        /// `SwitchProtection`.
        SwitchProtection = "SwitchProtection",
        /// `CompleteMigration`.
        CompleteMigration = "CompleteMigration",
    }
}

string_enum! {
    /// The failover deployment model.
    pub enum FailoverDeploymentModel {
        /// `NotApplicable`.
        NotApplicable = "NotApplicable",
        /// `Classic`.
        Classic = "Classic",
        /// `ResourceManager`.
        ResourceManager = "ResourceManager",
    }
}

string_enum! {
    /// License type.
    pub enum LicenseType {
        /// `NotSpecified`.
        NotSpecified = "NotSpecified",
        /// `NoLicenseType`.
        NoLicenseType = "NoLicenseType",
        /// `WindowsServer`.
        WindowsServer = "WindowsServer",
    }
}

string_enum! {
    /// The initial replication progress health.
    pub enum VmReplicationProgressHealth {
        /// `None`.
        None = "None",
        /// `InProgress`.
        InProgress = "InProgress",
        /// `SlowProgress`.
        SlowProgress = "SlowProgress",
        /// `NoProgress`.
        NoProgress = "NoProgress",
    }
}

string_enum! {
    /// The progress health.
    pub enum DiskReplicationProgressHealth {
        /// `None`.
        None = "None",
        /// `InProgress`.
        InProgress = "InProgress",
        /// `SlowProgress`.
        SlowProgress = "SlowProgress",
        /// `NoProgress`.
        NoProgress = "NoProgress",
        /// `Queued`.
        Queued = "Queued",
    }
}

string_enum! {
    /// The resync state.
    pub enum ResyncState {
        /// `None`.
        None = "None",
        /// `PreparedForResynchronization`.
        PreparedForResynchronization = "PreparedForResynchronization",
        /// `StartedResynchronization`.
        StartedResynchronization = "StartedResynchronization",
    }
}

string_enum! {
    /// AgentUpgradeBlockedReason.
    pub enum AgentUpgradeBlockedReason {
        /// `AlreadyOnLatestVersion`.
        AlreadyOnLatestVersion = "AlreadyOnLatestVersion",
        /// `RebootRequired`.
        RebootRequired = "RebootRequired",
        /// `AgentNoHeartbeat`.
        AgentNoHeartbeat = "AgentNoHeartbeat",
        /// `RcmProxyNoHeartbeat`.
        RcmProxyNoHeartbeat = "RcmProxyNoHeartbeat",
        /// `ProcessServerNoHeartbeat`.
        ProcessServerNoHeartbeat = "ProcessServerNoHeartbeat",
        /// `IncompatibleApplianceVersion`.
        IncompatibleApplianceVersion = "IncompatibleApplianceVersion",
        /// `NotProtected`.
        NotProtected = "NotProtected",
        /// `UnsupportedProtectionScenario`.
        UnsupportedProtectionScenario = "UnsupportedProtectionScenario",
        /// `DistroIsNotReported`.
        DistroIsNotReported = "DistroIsNotReported",
        /// `DistroNotSupportedForUpgrade`.
        DistroNotSupportedForUpgrade = "DistroNotSupportedForUpgrade",
        /// `MissingUpgradePath`.
        MissingUpgradePath = "MissingUpgradePath",
        /// `InvalidAgentVersion`.
        InvalidAgentVersion = "InvalidAgentVersion",
        /// `InvalidDriverVersion`.
        InvalidDriverVersion = "InvalidDriverVersion",
        /// `ReInstallRequired`.
        ReInstallRequired = "ReInstallRequired",
        /// `Unknown`.
        Unknown = "Unknown",
    }
}
