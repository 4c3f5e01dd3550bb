"""Databases of US user data keep backups for the minimum retention (or the service's cap) and a copy in another
allowed US region (issue 21 item 3): ``database-backup-retention`` and ``backup-coverage``.

Programs in the shapes teams write: the issue's Autonomous Database with 60 days of backups and no DR copy, RDS and
Aurora with their defaults, DynamoDB without point-in-time recovery, MySQL and PostgreSQL DB systems with and
without cross-region backup copies, standbys and replicas created with another region's provider.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumi_oci as oci
import pytest

from residency_policies.analysis.backup_copies import RegionalCopy
from residency_policies.analysis.store_durability import STORE_PROFILES, RetentionReading
from residency_policies.rules.backup_coverage import copies_message
from residency_policies.rules.database_backup_retention import retention_message
from residency_policies.views import FrozenDict, ResourceView
from tests.policies.conftest import COMPARTMENT, KEY_IAD, flagged, judged, messages, start_pack, urn

RETENTION = "database-backup-retention"
COVERAGE = "backup-coverage"
US_KEY = "arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
AD = "Uocm:US-ASHBURN-AD-1"
SUBNET = "ocid1.subnet.oc1.iad.aaaaaaaadatasubnet"
KEY_PHX = "ocid1.key.oc1.phx.bbbbbbbbvault.abcdefghijklmnop"
ADB = "oci:Database/autonomousDatabase:AutonomousDatabase"
MYSQL = "oci:Mysql/mysqlDbSystem:MysqlDbSystem"
PSQL = "oci:Psql/dbSystem:DbSystem"
DB_SYSTEM = "oci:Database/dbSystem:DbSystem"
RDS = "aws:rds/instance:Instance"
AURORA = "aws:rds/cluster:Cluster"
DYNAMO = "aws:dynamodb/table:Table"
REDSHIFT = "aws:redshift/cluster:Cluster"
PROTECT = pulumi.ResourceOptions(protect=True)


def _unknown(value, seed="seed"):
    compartment = oci.identity.Compartment(seed, compartment_id=COMPARTMENT, description="seed")
    return compartment.id.apply(lambda _: value)


def _adb(name, *, provider=None, key=KEY_IAD, **kw):
    return oci.database.AutonomousDatabase(name, compartment_id=COMPARTMENT, db_name=name.replace("-", ""), kms_key_id=key,
                                           subnet_id=SUBNET, opts=pulumi.ResourceOptions(provider=provider, protect=True),
                                           **kw)


def _mysql(name, **kw):
    return oci.mysql.MysqlDbSystem(name, compartment_id=COMPARTMENT, availability_domain=AD, shape_name="MySQL.2",
                                   subnet_id=SUBNET, opts=PROTECT, **kw)


def _mysql_backups(days=35, copy_to=None, enabled=None):
    copies = None if copy_to is None else [oci.mysql.MysqlDbSystemBackupPolicyCopyPolicyArgs(copy_to_region=copy_to)]
    return oci.mysql.MysqlDbSystemBackupPolicyArgs(retention_in_days=days, copy_policies=copies, is_enabled=enabled)


def _psql(name, days=35, regions=None):
    copy = None if regions is None else oci.psql.DbSystemManagementPolicyBackupPolicyCopyPolicyArgs(
        compartment_id=COMPARTMENT, regions=regions)
    return oci.psql.DbSystem(
        name, compartment_id=COMPARTMENT, db_version="16", display_name=name, shape="PostgreSQL.VM.Standard.E4.Flex",
        network_details=oci.psql.DbSystemNetworkDetailsArgs(subnet_id=SUBNET),
        storage_details=oci.psql.DbSystemStorageDetailsArgs(is_regionally_durable=True, system_type="OCI_OPTIMIZED_STORAGE"),
        management_policy=oci.psql.DbSystemManagementPolicyArgs(backup_policy=oci.psql.DbSystemManagementPolicyBackupPolicyArgs(
            kind="DAILY", backup_start="02:00", retention_days=days, copy_policy=copy)))


def _rds(name, *, provider=None, **kw):
    kw.setdefault("backup_retention_period", 35)
    return aws.rds.Instance(name, instance_class="db.t3.micro", engine="postgres", allocated_storage=20,
                            storage_encrypted=True, kms_key_id=US_KEY, deletion_protection=True,
                            opts=pulumi.ResourceOptions(provider=provider), **kw)


def _table(name, *, pitr=True, days=None, replicas=None):
    return aws.dynamodb.Table(
        name, attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")], hash_key="id", billing_mode="PAY_PER_REQUEST",
        deletion_protection_enabled=True, replicas=replicas,
        point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=pitr, recovery_period_in_days=days))


# -- database-backup-retention ----------------------------------------------------------------------------------

def _retained():
    _adb("adb-default")  # 60 days, the cap, by default
    _adb("adb-long-term", backup_retention_period_in_days=30, long_term_backup_schedules=[
        oci.database.AutonomousDatabaseLongTermBackupScheduleArgs(repeat_cadence="MONTHLY", retention_period_in_days=365,
                                                                  time_of_backup="2027-01-01T00:00:00Z")])
    _mysql("mysql", backup_policy=_mysql_backups(35))
    _psql("psql", 35)
    _rds("rds")
    aws.rds.Cluster("aurora", engine="aurora-postgresql", backup_retention_period=35, deletion_protection=True,
                    storage_encrypted=True, kms_key_id=US_KEY)
    _table("table")  # point-in-time recovery covers 35 days by default
    # A read replica is a copy: its source is judged.
    _rds("replica", replicate_source_db="arn:aws:rds:us-east-2:111111111111:db:source", backup_retention_period=0)


RETENTION_MISSING = {
    "adb-30": (ADB, lambda: _adb("adb-30", backup_retention_period_in_days=30)),
    "adb-disabled-long-term": (ADB, lambda: _adb("adb-disabled-long-term", backup_retention_period_in_days=30,
                                                 long_term_backup_schedules=[
        oci.database.AutonomousDatabaseLongTermBackupScheduleArgs(repeat_cadence="MONTHLY", retention_period_in_days=365,
                                                                  is_disabled=True, time_of_backup="2027-01-01T00:00:00Z")])),
    "mysql-7": (MYSQL, lambda: _mysql("mysql-7", backup_policy=_mysql_backups(7))),
    "mysql-off": (MYSQL, lambda: _mysql("mysql-off", backup_policy=_mysql_backups(35, enabled=False))),
    "mysql-default": (MYSQL, lambda: _mysql("mysql-default")),
    "psql-7": (PSQL, lambda: _psql("psql-7", 7)),
    "rds-default": (RDS, lambda: _rds("rds-default", backup_retention_period=None)),
    "rds-off": (RDS, lambda: _rds("rds-off", backup_retention_period=0)),
    "rds-7": (RDS, lambda: _rds("rds-7", backup_retention_period=7)),
    "aurora-default": (AURORA, lambda: aws.rds.Cluster("aurora-default", engine="aurora-postgresql", deletion_protection=True,
                                                        storage_encrypted=True, kms_key_id=US_KEY)),
    "table-no-pitr": (DYNAMO, lambda: _table("table-no-pitr", pitr=False)),
    "table-7": (DYNAMO, lambda: _table("table-7", days=7)),
    "redshift-default": (REDSHIFT, lambda: aws.redshift.Cluster("redshift-default", cluster_identifier="r",
                                                               node_type="ra3.xlplus", kms_key_id=US_KEY, encrypted=True)),
}


def test_databases_keeping_the_minimum_or_the_cap_pass(preview):
    assert flagged(preview(_retained), RETENTION) == set()


def test_databases_keeping_less_are_flagged_with_the_setting_to_change(preview):
    def program():
        for _, make in RETENTION_MISSING.values():
            make()

    result = preview(program)
    assert flagged(result, RETENTION, level="mandatory") == {urn(t, n) for n, (t, _) in RETENTION_MISSING.items()}
    assert len(messages(result, RETENTION)) == len(RETENTION_MISSING)
    by_name = {v.urn.split("::")[-1]: v.message for v in result.violations_of(RETENTION)}
    assert ("this database keeps backups for 30 days (`backupRetentionPeriodInDays`); it must keep them for 60 days: "
            "the rules ask for 365 and the service keeps at most 60") in by_name["adb-30"]
    assert "a long-term schedule (`longTermBackupSchedules[].retentionPeriodInDays`) can keep them for the full 365 days" \
        in by_name["adb-30"]
    assert "keeps no automatic backups (`backupPolicy.isEnabled` is False)" in by_name["mysql-off"]
    assert "set `backupPolicy.isEnabled=True` and `backupPolicy.retentionInDays=35`" in by_name["mysql-off"]
    assert "keeps backups for 7 days (`backupPolicy.retentionInDays` is unset: 7 days by default)" in by_name["mysql-default"]
    assert "keeps backups for 1 day (`backupRetentionPeriod` is unset: 1 day by default)" in by_name["aurora-default"]
    assert ("keeps no automatic backups (`pointInTimeRecovery.enabled` is False)" in by_name["table-no-pitr"])
    assert "Must be between `0` and `35`" in by_name["rds-7"]
    # Unset is the RDS API's default of 1 day (public programs leave it unset); only an explicit 0 turns backups off.
    assert "keeps backups for 1 day (`backupRetentionPeriod` is unset: 1 day by default)" in by_name["rds-default"]
    assert "keeps no backups (`backupRetentionPeriod`); it must keep them for 35 days" in by_name["rds-off"]


@pytest.fixture(scope="module")
def fourteen_day_pack():
    pack = start_pack(policy_config={RETENTION: {"minimumRetentionDays": 14}})
    yield pack
    pack.close()


def test_a_minimum_below_the_cap_is_required_as_it_is(preview, fourteen_day_pack):
    def program():
        _rds("rds-14", backup_retention_period=14)
        _rds("rds-7", backup_retention_period=7)
        _mysql("mysql-default")  # 7 days by default

    result = preview(program, using=fourteen_day_pack)
    assert flagged(result, RETENTION) == {urn(RDS, "rds-7"), urn(MYSQL, "mysql-default")}
    assert all("it must keep them for at least 14 days (minimumRetentionDays): set" in m for m in messages(result, RETENTION))


def test_retention_unknown_at_preview_cannot_be_verified(preview):
    def program():
        _rds("rds", backup_retention_period=_unknown(35))
        _mysql("mysql", backup_policy=oci.mysql.MysqlDbSystemBackupPolicyArgs(is_enabled=_unknown(True, "seed-2"),
                                                                              retention_in_days=35))

    result = preview(program)
    assert flagged(result, RETENTION, level="mandatory") == {urn(RDS, "rds"), urn(MYSQL, "mysql")}
    assert sorted(m.split("\n")[1].split(" is unknown")[0] for m in messages(result, RETENTION)) == [
        "cannot be verified at preview: backupPolicy.isEnabled", "cannot be verified at preview: backupRetentionPeriod"]


def test_database_classified_as_holding_no_user_data_is_advisory(preview):
    def program():
        _rds("catalog", backup_retention_period=1, tags={"residency-data": "public"})

    assert flagged(preview(program), RETENTION, level="advisory") == {urn(RDS, "catalog")}


def test_retention_messages_read_correctly_in_every_case():
    rds = STORE_PROFILES[RDS].retention
    mysql = STORE_PROFILES[MYSQL].retention
    assert retention_message(rds, RetentionReading(1, True, False), 365) == (
        "this database keeps backups for 1 day (`backupRetentionPeriod` is unset: 1 day by default); it must keep them "
        "for 35 days: the rules ask for 365 and the service keeps at most 35 (SDK documentation of "
        "backupRetentionPeriod: \"Must be between `0` and `35`\"): set `backupRetentionPeriod=35`")
    assert retention_message(rds, RetentionReading(0, True, True), 365).startswith(
        "this database keeps no backups (`backupRetentionPeriod`); it must keep them for 35 days")
    assert retention_message(rds, RetentionReading(7, True, True), 30) == (
        "this database keeps backups for 7 days (`backupRetentionPeriod`); it must keep them for at least 30 days "
        "(minimumRetentionDays): set `backupRetentionPeriod=30`")
    assert retention_message(mysql, RetentionReading(0, False, False), 30).startswith(
        "this database keeps no automatic backups (`backupPolicy.isEnabled` is unset, and backups are off by default)")


# -- backup-coverage: a copy in another allowed region ------------------------------------------------------------

def _copied():
    phx = oci.Provider("phx", region="us-phoenix-1")
    west = aws.Provider("west", region="us-west-2")
    # The database, with its Data Guard standby in the backup region.
    primary = _adb("users", backup_retention_period_in_days=60)
    _adb("users-standby", provider=phx, key=KEY_PHX, source="CROSS_REGION_DATAGUARD", source_id=primary.id)
    _mysql("mysql", backup_policy=_mysql_backups(35, copy_to="us-phoenix-1"))
    _psql("psql", 35, regions=["us-phoenix-1"])
    rds = _rds("rds")
    aws.rds.InstanceAutomatedBackupsReplication("rds-copy", source_db_instance_arn=rds.arn, kms_key_id=US_KEY,
                                                opts=pulumi.ResourceOptions(provider=west))
    _table("table", replicas=[aws.dynamodb.TableReplicaArgs(region_name="us-west-2")])
    global_cluster = aws.rds.GlobalCluster("global", global_cluster_identifier="g", engine="aurora-postgresql")
    for name, provider in (("aurora-east", None), ("aurora-west", west)):
        aws.rds.Cluster(name, engine="aurora-postgresql", backup_retention_period=35, deletion_protection=True,
                        storage_encrypted=True, kms_key_id=US_KEY, global_cluster_identifier=global_cluster.id,
                        opts=pulumi.ResourceOptions(provider=provider))
    # An AWS Backup plan that copies into a vault in us-west-2.
    backed = aws.redshift.Cluster("redshift", cluster_identifier="r", node_type="ra3.xlplus", kms_key_id=US_KEY,
                                  encrypted=True, automated_snapshot_retention_period=35)
    plan = aws.backup.Plan("plan", name="p", rules=[aws.backup.PlanRuleArgs(
        rule_name="daily", target_vault_name="home", schedule="cron(0 5 * * ? *)",
        copy_actions=[aws.backup.PlanRuleCopyActionArgs(
            destination_vault_arn="arn:aws:backup:us-west-2:111111111111:backup-vault:dr")])])
    aws.backup.Selection("selection", name="s", iam_role_arn="arn:aws:iam::111111111111:role/b", plan_id=plan.id,
                         resources=[backed.arn])


def test_databases_with_a_copy_in_another_allowed_region_pass(preview):
    result = preview(_copied)
    assert flagged(result, COVERAGE) == set(), messages(result, COVERAGE)
    assert flagged(result, RETENTION) == set()


def test_databases_without_a_regional_copy_are_flagged(preview):
    def program():
        phx_same = oci.Provider("home", region="us-ashburn-1")
        _adb("users", backup_retention_period_in_days=60)  # the database: 60 days, no DR copy
        lonely = _adb("same-region")
        _adb("same-region-standby", provider=phx_same, source="CROSS_REGION_DATAGUARD", source_id=lonely.id)
        _mysql("mysql-eu", backup_policy=_mysql_backups(35, copy_to="eu-frankfurt-1"))
        _rds("rds")
        _table("table", replicas=[aws.dynamodb.TableReplicaArgs(region_name="us-east-2")])  # its own region

    result = preview(program)
    assert flagged(result, COVERAGE, level="mandatory") == {
        urn(ADB, "users"), urn(ADB, "same-region"), urn(MYSQL, "mysql-eu"), urn(RDS, "rds"), urn(DYNAMO, "table")}
    # Checkov-style: the resources the policy judged and passed, beside those it flagged
    assert judged(result, COVERAGE).passed == {
        urn("oci:Database/autonomousDatabase:AutonomousDatabase", "same-region-standby"),
    }
    assert flagged(result, RETENTION) == set()  # 60 days is the most an Autonomous Database keeps automatically
    by_name = {v.urn.split("::")[-1]: v.message for v in result.violations_of(COVERAGE)}
    assert "this database has no copy outside its own region (us-ashburn-1): a regional outage would lose its data" \
        in by_name["users"]
    assert "source CROSS_REGION_DATAGUARD or CROSS_REGION_DISASTER_RECOVERY" in by_name["users"]
    assert "keeps copies only in its own region or regions the rules do not allow (standby 'same-region-standby' in " \
           "us-ashburn-1)" in by_name["same-region"]
    assert "(backupPolicy.copyPolicies[0].copyToRegion in eu-frankfurt-1)" in by_name["mysql-eu"]


def test_a_copy_whose_region_is_unknown_cannot_be_verified(preview):
    def program():
        primary = _adb("users")
        _adb("standby", provider=oci.Provider("dr", region=_unknown("us-phoenix-1")), source="CROSS_REGION_DATAGUARD",
             source_id=primary.id)
        _mysql("mysql", backup_policy=_mysql_backups(35, copy_to=_unknown("us-phoenix-1", "seed-2")))

    result = preview(program)
    assert flagged(result, COVERAGE, level="mandatory") == {urn(ADB, "users"), urn(MYSQL, "mysql")}
    assert all("cannot be verified at preview" in m for m in messages(result, COVERAGE))


def test_copy_messages_read_correctly():
    view = ResourceView(type=ADB, urn=urn(ADB, "s"), name="s", props=FrozenDict({}))
    assert copies_message("us-ashburn-1", [], ["A"]) == (
        "this database has no copy outside its own region (us-ashburn-1): a regional outage would lose its data. Keep "
        "a copy in another allowed US region with A")
    assert copies_message(None, [RegionalCopy(view, "standby 's'", "eu-frankfurt-1")], ["A", "B"]) == (
        "this database keeps copies only in its own region or regions the rules do not allow (standby 's' in "
        "eu-frankfurt-1): a regional outage would lose its data. Keep a copy in another allowed US region with A or B")
