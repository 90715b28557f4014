-- Organisations with projects in scope, with projects, sites in scope, social workers and person-times (and their ranks); $district, $street nullable.
with
projects as (
    select * from sw_projects_in($district, $street)
),

per_org as (
    select
        org_id,
        count(*) as projects,
        coalesce(sum(sites), 0)::bigint as sites,
        sum(social_workers)::bigint as social_workers,
        coalesce(sum(person_times), 0)::bigint as person_times
    from projects
    group by org_id
),

final as (
    select
        o.id as org_id,
        o.name as org_name,
        d.name as home_district,
        x.projects,
        x.sites,
        x.social_workers,
        x.person_times,
        rank() over (order by x.person_times desc) as rank_person_times
    from per_org as x
    inner join sw_org as o on x.org_id = o.id
    left join district as d on o.district_code = d.code
)

select * from final
order by rank_person_times, org_id
