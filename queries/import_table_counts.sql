-- Row counts of the importable tables (service points, workers, organisations, projects, sites); no parameters.
select
    (select count(*) from service_point) as service_points,
    (select count(*) from worker) as workers,
    (select count(*) from sw_org) as sw_orgs,
    (select count(*) from sw_project) as projects,
    (select count(*) from sw_site) as sites
