-- Derived at publish time (build and import): every project once per scope it counts in, with what the
-- social-work figures add up. A project counts in a district or street when one of its sites lies there
-- (sites: its sites there); the city ('city') counts every project with all its sites.
insert into sw_project_scope
with
site_scopes as (
    select
        district_code as scope_code,
        project_id,
        count(*) as sites
    from sw_site
    where district_code is not null
    group by district_code, project_id
    union all
    select
        street_code as scope_code,
        project_id,
        count(*) as sites
    from sw_site
    where street_code is not null
    group by street_code, project_id
    union all
    select
        'city' as scope_code,
        p.id as project_id,
        count(s.id) as sites
    from sw_project as p
    left join sw_site as s on p.id = s.project_id
    group by p.id
),

served as (
    select
        project_id,
        sum(person_times) as person_times,
        sum(online_person_times) as online_person_times
    from sw_service_month
    group by project_id
)

select
    x.scope_code,
    x.project_id,
    p.org_id,
    p.domain,
    p.target_group,
    coalesce(p.social_workers, 0) as social_workers,
    x.sites,
    coalesce(m.person_times, 0)::bigint as person_times,
    coalesce(m.online_person_times, 0)::bigint as online_person_times
from site_scopes as x
inner join sw_project as p on x.project_id = p.id
left join served as m on x.project_id = m.project_id
order by x.scope_code, x.project_id
